import type { DocumentKind } from './documents.js'

export type MediaKind = 'jpeg' | 'preview' | 'video' | 'archive'
export type FileKind = DocumentKind | MediaKind | 'log' | 'sql'

/** One file of the tree: its content is a pure function of (kind, seed, edit, size). */
export interface FileSpec {
  /** Relative, '/'-separated. */
  path: string
  kind: FileKind
  seed: number
  /** How many times a document was edited (for 'sql': the dump's day). */
  edit: number
  /** Exact size, except for 'sql' where it is an estimate (rows, not bytes, are planned). */
  size: number
  /** Whole seconds, as ms. */
  mtimeMs: number
}

/** Two specs with the same key have the same bytes. */
export function contentKey (f: FileSpec): string {
  return `${f.kind}:${f.seed}:${f.edit}:${f.size}`
}

export interface DatasetOptions {
  seed: number
  /** Total bytes of day 0 (approximately: the SQL dump's rows are estimated). */
  size: number
  /** Multiplies the number of small files at the same total size (they get smaller). */
  filesScale: number
}

export interface DatasetPlan {
  options: DatasetOptions
  day: number
  files: FileSpec[]
  /** Day-0 row counts of the SQL dump's big tables. */
  sqlRows: { filecacheRows: number, activityRows: number }
}

/** What a day's mutation did, for the report. */
export interface MutationSummary {
  day: number
  edited: number
  rewritten: number
  added: number
  deleted: number
  trashed: number
  renamed: number
  versionsKept: number
  logAppendedBytes: number
}
