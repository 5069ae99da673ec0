import type { SealJob, SealResult } from './seal-job.js'
import type { SinkDir, SinkFile, SinkPack, SinkReport } from './restore-sink.js'
import type { PathListing } from './dir-listing.js'
import type { ExcludeRules } from './exclude-rules.js'

/** What the main thread asks of a file task: everything to read, chunk, name and seal a file. */
export interface FileTaskRequest {
  path: ArrayBuffer
  size: number
  chunker: { minSize: number, avgSize: number, maxSize: number, gearSeed: ArrayBuffer }
  /** The repository's text tier (RepoRecord.textChunker), with the chunker's gear seed. */
  textChunker?: { minSize: number, avgSize: number, maxSize: number }
  chunkIdKey: ArrayBuffer
  dataKey: ArrayBuffer
}

/**
 * A whole file's chunk ids (32 bytes each, back to back), lengths and bytes read, sent with all
 * its chunks sealed: the main thread keeps the new ones (no 'batch' and 'select' between).
 */
export interface WholeFile {
  ids: ArrayBuffer
  lengths: number[]
  bytesRead: number
}

/** Main thread -> worker. */
export type WorkerRequest =
  | { seq: number, type: 'seal', job: SealJob }
  | { seq: number, type: 'file', task: FileTaskRequest }
  /** Which chunks of the last batch are new (to seal); the rest are known already. */
  | { seq: number, type: 'select', indexes: number[] }
  | { seq: number, type: 'cancel' }
  /** The pool went idle: let go of spare buffers and collect the heap (no reply). */
  | { seq: number, type: 'trim' }
  /** A folder and folders below it, listed and lstat'ed with blocking calls (dir-listing.ts listTreeSync). */
  | { seq: number, type: 'list-tree', path: ArrayBuffer, maxDirs: number, rules: ExcludeRules, oneFileSystem: boolean }
  /** Count files and bytes below these paths (the backup's progress total). */
  | { seq: number, type: 'scan', paths: string[], rules: ExcludeRules, oneFileSystem: boolean }
  /** A restore's writing half (restore-sink.ts): its keys first, then files and packs, then the end. */
  | { seq: number, type: 'restore-begin', dataKey: ArrayBuffer, chunkIdKey: ArrayBuffer, maxBlobSize: number }
  | { seq: number, type: 'restore-add', files: SinkFile[] }
  /** A pack's sealed blobs, views of shards transferred with the message (nothing comes back). */
  | { seq: number, type: 'restore-write', sealed: Uint8Array[], pack: SinkPack }
  | { seq: number, type: 'restore-dirs', dirs: SinkDir[] }
  /** Blobs that could not be read (per blob, file and position pairs as in SinkPack.targets), and why. */
  | { seq: number, type: 'restore-lost', targets: number[][], why: string }
  | { seq: number, type: 'restore-end' }

/** Worker -> main thread. */
export type WorkerReply =
  | { seq: number, kind: 'result', result: SealResult }
  | { seq: number, kind: 'batch', ids: ArrayBuffer, lengths: number[], bytesRead: number }
  /**
   * The sealed chunks back to back: in a slot of the worker's SealArena (freed by the main thread
   * once read), or in a buffer of their own. `done`: the file task ends with them (no 'done' follows).
   */
  | { seq: number, kind: 'sealed', slot: number, lengths: number[], done: boolean, whole?: WholeFile }
  | { seq: number, kind: 'sealed', sealed: ArrayBuffer, lengths: number[], done: boolean, whole?: WholeFile }
  | { seq: number, kind: 'done' }
  | { seq: number, kind: 'totals', files: number, bytes: number, complete: boolean }
  | { seq: number, kind: 'listed', listings: PathListing[] }
  /** One reply per restore call, in order. */
  | { seq: number, kind: 'restored', report: SinkReport }
  /** `integrity`: what failed an integrity check (the error is an IntegrityError). */
  | { seq: number, kind: 'error', message: string, code?: string, integrity?: string }
