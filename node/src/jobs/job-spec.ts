import type { ForgetArgs } from '@resilien/control'
import type { DumpCredentials } from './db-dump.js'
import type { ScheduleSpec } from './schedule.js'
import type { FolderMarker } from '@resilien/repository'

/** A job's run is stopped after this long (each hook gets the same limit): a day, so a slow first backup of a big Nextcloud still finishes. */
export const DEFAULT_JOB_TIMEOUT_MS = 24 * 60 * 60 * 1000
/** Retries after a failed run before the job waits for its next scheduled time. */
export const DEFAULT_RETRY_ATTEMPTS = 3
/** Wait before the first retry; it doubles after each further failure. */
export const DEFAULT_RETRY_BACKOFF_MS = 5 * 60 * 1000
/** Longest wait between two retries. */
export const DEFAULT_RETRY_MAX_MS = 60 * 60 * 1000

/** The kinds of `source` a job can have. */
export type SourceKind = 'paths' | 'command' | 'nextcloud' | 'hedgedoc'

/** How a failed run is retried; delays come from `retryDelay` (backoff.ts). */
export interface RetryPolicy {
  /** Retries after a failed run (0: none) before waiting for the next scheduled run. */
  attempts: number
  backoffMs: number
  maxMs: number
}

/** Retention applied after each successful backup: the `forget` rules, as the control API takes them (keepWithin in milliseconds). */
export type RetentionSpec = Pick<ForgetArgs, 'keepLast' | 'keepHourly' | 'keepDaily' | 'keepWeekly' | 'keepMonthly' | 'keepYearly' | 'keepWithin' | 'keepTags'>

export interface PruneSpec {
  /** Prune runs on its own schedule (packs are rewritten: heavier than a forget). */
  schedule: ScheduleSpec
  /** Share (0..1) of unused bytes above which a pack is repacked; undefined: the node's default. */
  repackThreshold?: number
}

/** Shell commands the user gave, each run with the job's timeout. */
export interface JobHooks {
  /** Before anything else; a failure fails the run (nothing is captured). */
  before: string[]
  /** After a successful run. */
  after: string[]
  /** After a failed run (also when a `before` hook failed). */
  onFailure: string[]
}

/** One dump streamed into the snapshot as a file. */
export interface DumpStep {
  /** File name in the snapshot (no `/`). */
  filename: string
  /** Shell command; its standard output is the file's content, a non-zero exit fails the run. */
  command: string
  /** A password to hand over through a temporary file; see DumpCredentials. */
  credentials?: DumpCredentials
}

/**
 * What a run captures, resolved from the source so the runner only executes it: `before` in
 * order, then the dumps and paths into one snapshot, then `after`.
 */
export interface CapturePlan {
  /** Shell commands run in order before the capture (Nextcloud: maintenance mode on); the first failure fails the run. */
  before: string[]
  dumps: DumpStep[]
  /** Absolute paths that must exist. */
  paths: string[]
  /** Absolute paths captured when they exist (a Nextcloud without custom apps, a HedgeDoc without .env). */
  optionalPaths: string[]
  /** Exclude patterns (compileExclude of @resilien/repository) applied to every path. */
  exclude: string[]
  /** Set: the paths' walks stay on their own file systems (`oneFileSystem = true`, backup -x). */
  oneFileSystem?: true
  /** Files whose presence keeps the rest of their folder out (`excludeIfPresent`, `excludeCaches`). */
  excludeMarkers?: FolderMarker[]
  /** Files larger than this many bytes are left out (`excludeLargerThan`). */
  excludeLargerThan?: number
  /**
   * Undo `before` (Nextcloud: maintenance mode off). Once `before` started, these always run:
   * after success, after failure, and at the next start of a node that crashed in between
   * (the job state's `maintenanceOn` remembers it).
   */
  after: string[]
}

/** One job of jobs.toml with every default resolved. */
export interface JobSpec {
  name: string
  repo: string
  schedule: ScheduleSpec
  /** File holding the repository passphrase; checked at run time (readable by its owner only). */
  passwordFile: string
  tags: string[]
  /** Host name recorded in the snapshots; undefined: the node's. */
  host?: string
  timeoutMs: number
  retry: RetryPolicy
  /** undefined: snapshots are never forgotten by this job. */
  retention?: RetentionSpec
  /** undefined: this job never prunes. */
  prune?: PruneSpec
  hooks: JobHooks
  source: SourceKind
  plan: CapturePlan
}
