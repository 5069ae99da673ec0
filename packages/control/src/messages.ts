import type { SnapshotSelection } from './snapshot-selection.js'
import type { BackupResult, BackupStats, CheckProblem, CheckReport, DataSubset, PruneResult, RestoreResult } from '@resilien/types'
/**
 * The messages of the local control API. The node answers them, the CLI sends them; both import
 * this file so the CLI stays a thin client. Field names are API: the CLI's --json output is
 * built from them.
 */

/** File name of the control socket inside the data dir (mode 0600). */
export const CONTROL_SOCKET_NAME = 'control.sock'
/** Path prefix of every request; a new incompatible version gets a new prefix. */
export const CONTROL_API_PREFIX = '/v1/'

export interface PasswordArgs {
  /** The repository passphrase; sent over the 0600 unix socket only, never stored by the node. */
  password: string
}

export interface RepoCreateArgs extends PasswordArgs {
  name: string
  k?: number
  m?: number
}
export interface RepoCreateResult {
  repo: string
  name: string
  k: number
  m: number
  /** A policy this cluster cannot honour now (wider than its failure domains, or no parity). */
  warnings: string[]
}

export type { BackupResult, BackupStats, CheckProblem, PruneResult, RestoreResult }
/** The control API's name for a check report. */
export type CheckResult = CheckReport

export interface BackupArgs extends PasswordArgs {
  repo: string
  paths: string[]
  tags: string[]
  /** Defaults to the node's host name. */
  host?: string
  /** Run this shell command and store its standard output as the file `stdinFilename`. */
  stdinCommand?: string
  stdinFilename?: string
  /** Patterns of paths left out, restic's rules (compileExclude of @resilien/repository). */
  exclude?: string[]
  /** Do not cross into other file systems below the paths (mount points are kept empty). */
  oneFileSystem?: boolean
  /** `NAME` or `NAME:HEADER`: a folder holding such a file keeps only that file (restic's --exclude-if-present). */
  excludeIfPresent?: string[]
  /** Leave out the content of folders tagged with a valid CACHEDIR.TAG (restic's --exclude-caches). */
  excludeCaches?: boolean
  /** Leave out files larger than this many bytes. */
  excludeLargerThan?: number
  allowDegraded?: boolean
  /**
   * Do not count the files and bytes first (restic's --no-scan): progress then has no total. The
   * CLI asks for it when it shows no progress (--json), since the count is a second walk of the
   * paths that competes with the backup.
   */
  noScan?: boolean
  /** Store and commit nothing: the result says what a backup would add (restic's --dry-run). */
  dryRun?: boolean
}

export interface SnapshotsArgs extends PasswordArgs {
  repo: string
}
export interface SnapshotSummary {
  id: string
  time: string
  host: string
  paths: string[]
  tags: string[]
  degraded: boolean
}
export interface SnapshotsResult {
  snapshots: SnapshotSummary[]
  /** True when every stripe of the repository survives the loss of any one site. */
  survivesSiteLoss: boolean
  warnings: string[]
}

export interface LsArgs extends PasswordArgs {
  repo: string
  snapshot: string
  path?: string
}
export type NodeType = 'file' | 'dir' | 'symlink' | 'fifo' | 'socket' | 'chardev' | 'blockdev'
export interface LsEntry {
  path: string
  type: NodeType
  size: number
  mode: number
  mtime: string
  target?: string
}

export interface FindArgs extends PasswordArgs {
  repo: string
  /** Backup's exclude patterns, matched against each path itself: `*.docx`, `/srv/www/cache`. */
  patterns: string[]
  /** Only these snapshots (ids, prefixes or "latest"); all of them by default, newest first. */
  snapshots?: string[]
}
/** A match, streamed as an item: the entry as ls shows it, and the snapshot it is in. */
export interface FindEntry extends LsEntry {
  snapshot: string
  /** ISO time of the snapshot. */
  time: string
}
export interface FindResult {
  snapshots: number
  matches: number
}

export interface StatsArgs extends PasswordArgs {
  repo: string
}
export interface StatsResult {
  snapshots: number
  /** The newest snapshot: what restoring it writes. */
  latest?: { id: string, time: string, files: number, bytes: number }
  /** What restoring every snapshot would write, summed (restic's restore-size over all snapshots). */
  restoreBytes: number
  /** Live packs (not pruned): their sealed bytes, and the bytes their shards take with parity, on all sites. */
  packs: number
  packedBytes: number
  storedBytes: number
  k: number
  m: number
}

export interface TagArgs extends PasswordArgs {
  repo: string
  /** Ids, unique prefixes or "latest". */
  snapshots: string[]
  add?: string[]
  remove?: string[]
  /** Replaces all tags (an empty list clears them). */
  set?: string[]
}
export interface TagResult {
  /** Each snapshot whose tags changed: a new id replaces its old one. */
  changed: Array<{ from: string, to: string, tags: string[] }>
  /** Snapshots named whose tags were already so. */
  unchanged: number
}

export interface RewriteArgs extends PasswordArgs {
  repo: string
  /** Ids, unique prefixes or "latest"; none: every snapshot `select` takes (all, without it). */
  snapshots?: string[]
  select?: SnapshotSelection
  /** restic's exclude patterns: matching paths leave the snapshots. */
  exclude: string[]
  /** Forget each original with its rewrite (else the new one is tagged "rewrite" beside it). */
  forget?: boolean
  dryRun?: boolean
  allowDegraded?: boolean
}
export interface RewriteResult {
  /** Each snapshot that held a matching path: its new id ('' in a dry run), and what left it (regular files, their bytes, folders). */
  rewritten: Array<{ from: string, to: string, removed: { files: number, dirs: number, bytes: number } }>
  /** Snapshots that held nothing the patterns match. */
  unchanged: string[]
  /** Snapshots forgotten (by a forget or a tag) while the rewrite ran: no copy of them was committed. */
  vanished: string[]
  forgotten: boolean
  dryRun: boolean
  degraded: boolean
}

export interface DumpArgs extends PasswordArgs {
  repo: string
  /** Snapshot id, prefix or "latest". */
  snapshot: string
  /** A file of the snapshot, e.g. "/hedgedoc-db.sql", or a folder ("/" for all), sent as a tar archive. */
  path: string
}
export interface DumpResult {
  snapshot: string
  path: string
  /** Bytes sent: the file's size, or the whole archive's. */
  bytes: number
  /** For a folder: the entries of the archive, and the sockets left out (tar has no form for them). */
  archive?: { format: 'tar', entries: number, socketsSkipped: number }
}

export interface DiffArgs extends PasswordArgs {
  repo: string
  /** Snapshot ids, prefixes or "latest". */
  from: string
  to: string
}
/**
 * One difference between two snapshots, streamed as an item (restic's letters): `+` only in
 * `to`, `-` only in `from`, `M` content changed, `U` metadata only (mode, owner, mtime), `T`
 * type changed. A folder added or removed is listed with everything in it.
 */
export interface DiffEntry {
  change: '+' | '-' | 'M' | 'U' | 'T'
  path: string
  type: NodeType
}
export interface DiffResult {
  from: string
  to: string
  added: number
  removed: number
  changed: number
  metadata: number
  typeChanged: number
  /** Sizes of the files only in `to`, and only in `from`. */
  addedBytes: number
  removedBytes: number
}

export interface RestoreArgs extends PasswordArgs {
  repo: string
  snapshot: string
  target: string
  include: string[]
  /** Patterns of snapshot paths left out (backup's exclude rules). */
  exclude?: string[]
  /** Read every restored file back and check it against the snapshot. */
  verify?: boolean
}

export interface CheckArgs {
  repo?: string
  password?: string
  readData: boolean
  /** Packs whose data is re-read (checkedDataSubset); none unless readData when absent. */
  readDataSubset?: DataSubset
}

export interface SiteStatus {
  name: string
  peerId: string
  zone: string
  up: boolean
  /** `site retire` was said of it: it gets no new shards, and repair moves its shards away. */
  retiring: boolean
  lastSeen: string | null
  storedBytes: number
}
export interface RedundancySummary {
  stripes: number
  full: number
  degraded: number
  atRisk: number
  lost: number
}
export interface StatusArgs {
  /** Name of a site: also say what happens to the stripes if it goes dark. */
  whatIf?: string
}
/** `status --what-if SITE`: the real shard map with that site gone. */
export interface WhatIfReport extends RedundancySummary {
  site: string
  /** Every stripe keeps k readable shards: every snapshot stays restorable. */
  restorable: boolean
}
export interface StatusResult {
  sites: SiteStatus[]
  redundancy: RedundancySummary
  whatIf?: WhatIfReport
  /** Plain sentences for the operator, e.g. that a single site survives no site loss. */
  warnings: string[]
}

export interface SiteRetireArgs {
  name: string
  /** true: `site lost` (dead, rebuilt at once); false: `site retire` (drained while it answers). */
  lost: boolean
}
export interface SiteRetireResult {
  name: string
  peerId: string
  lost: boolean
  /** `site lost` when the sites left are too few for every stripe to get its shard back. */
  warning?: string
}
/** One repair pass (`resilien repair`). */
export interface RepairResult {
  /** Stripes with a shard on a site that is gone, or with two shards in one failure domain. */
  needing: number
  /** Shards of sites that are gone, rebuilt (or copied) onto live ones by this site. */
  moved: number
  /** Shards copied (or rebuilt, their holder down) off a failure domain that held two of a stripe (a backup made --allow-degraded). */
  spread: number
  unrepairable: number
  leftToOthers: number
  failed: number
  /** Shards of healthy stripes moved here to even the load. */
  rebalanced: number
}

export interface ForgetArgs extends PasswordArgs {
  repo: string
  /** Snapshots to forget by id, unique prefix or "latest", instead of a keep policy (restic's `forget ID...`). */
  snapshots?: string[]
  keepLast?: number
  keepHourly?: number
  keepDaily?: number
  keepWeekly?: number
  keepMonthly?: number
  keepYearly?: number
  /** Milliseconds: keep every snapshot newer than the newest minus this. */
  keepWithin?: number
  keepTags?: string[]
  /** Only these snapshots are judged by the policy (restic's --host, --tag, --path); the others stay. */
  select?: SnapshotSelection
  /** Say what would go, change nothing. */
  dryRun?: boolean
  /** Prune right after forgetting. */
  prune?: boolean
}
export interface ForgetResult {
  keep: Array<SnapshotSummary & { reasons: string[] }>
  remove: SnapshotSummary[]
  dryRun: boolean
  prune?: PruneResult
}
export interface PruneArgs extends PasswordArgs {
  repo: string
  dryRun?: boolean
  /** Share (0..1) of unused bytes above which a pack is repacked. */
  repackThreshold?: number
}

/** `repo list`: what the catalog says of each repository, without a passphrase. */
export interface RepoListResult {
  repos: Array<{
    name: string
    repo: string
    k: number
    m: number
    /** ISO time of `repo create`. */
    created: string
    /** The site that created it, by name when it is a member. */
    createdBy: string
    snapshots: number
    keySlots: number
  }>
}

/** `repo key list | add | remove`: the repository's key slots (one passphrase each). */
export interface RepoKeyArgs extends PasswordArgs {
  repo: string
  op: 'list' | 'add' | 'remove'
  /** add: the passphrase of the new slot. */
  newPassword?: string
  /** remove: the slot's id, or a unique prefix of it. */
  keyId?: string
}
export interface RepoKeyResult {
  /** Every key slot after the operation; `current` is the one the passphrase given opens. */
  keys: Array<{ keyId: string, current: boolean }>
  /** add: the new slot; remove: the removed one. */
  keyId?: string
}

export interface InviteResult {
  /** One-time token for `resilien join`: cluster id, this site's addresses and peer id, a secret. */
  token: string
  /** ISO time after which the token is refused. */
  expires: string
}

/** A backup job of the site's jobs.toml as `resilien jobs` shows it. Times are ms since the epoch. */
export interface JobView {
  name: string
  repo: string
  /** paths, command, nextcloud or hedgedoc. */
  source: string
  /** The cron expression (and its time zone). */
  schedule: string
  running: boolean
  lastRunAt?: number
  lastResult?: 'ok' | 'failed' | 'running'
  /** One line: what the last run made, or why it failed. */
  lastMessage?: string
  lastDurationMs?: number
  lastSnapshot?: string
  /** Bytes the last good run added to the repository. */
  lastAddedBytes?: number
  consecutiveFailures: number
  nextRunAt: number
  nextRetryAt?: number
  nextPruneAt?: number
  lastPruneAt?: number
}
export interface JobsResult {
  jobs: JobView[]
  /** Set when jobs.toml is missing (no jobs) or was refused (its error, one line). */
  problem?: string
}
export interface JobRunResult {
  snapshot: string
  addedBytes: number
  totalBytes: number
  files: number
  forgotten: number
  warnings: number
}

/** Progress of a long operation; the CLI renders a bar, the tests count. */
export interface ProgressEvent {
  type: 'progress'
  phase: string
  files: number
  bytes: number
  totalFiles?: number
  totalBytes?: number
  current?: string
  /** A backup's snapshot, recorded on the site and being copied to a second one (phase 'commit'). */
  snapshot?: string
}

/** Every command: its argument and its result. */
export interface ControlCommands {
  'status': { args: StatusArgs, result: StatusResult }
  'repo-create': { args: RepoCreateArgs, result: RepoCreateResult }
  'backup': { args: BackupArgs, result: BackupResult }
  'snapshots': { args: SnapshotsArgs, result: SnapshotsResult }
  /** Entries arrive as `item` frames, one per entry, so a huge tree never sits in memory. */
  'ls': { args: LsArgs, result: { entries: number } }
  /** Matches arrive as `item` frames (FindEntry), snapshot after snapshot. */
  'find': { args: FindArgs, result: FindResult }
  /** Differences arrive as `item` frames (DiffEntry), one per path: memory stays flat. */
  'diff': { args: DiffArgs, result: DiffResult }
  'restore': { args: RestoreArgs, result: RestoreResult }
  /** The file's bytes arrive as `data` frames, in order; the node sends no faster than the client reads. */
  'dump': { args: DumpArgs, result: DumpResult }
  'check': { args: CheckArgs, result: CheckResult }
  'invite': { args: Record<string, never>, result: InviteResult }
  'site-retire': { args: SiteRetireArgs, result: SiteRetireResult }
  'repair': { args: Record<string, never>, result: RepairResult }
  'repo-key': { args: RepoKeyArgs, result: RepoKeyResult }
  'repo-list': { args: Record<string, never>, result: RepoListResult }
  'forget': { args: ForgetArgs, result: ForgetResult }
  'tag': { args: TagArgs, result: TagResult }
  'rewrite': { args: RewriteArgs, result: RewriteResult }
  'stats': { args: StatsArgs, result: StatsResult }
  'prune': { args: PruneArgs, result: PruneResult }
  'jobs': { args: Record<string, never>, result: JobsResult }
  /** Runs one job now and answers when it is done. */
  'jobs-run': { args: { name: string }, result: JobRunResult }
}
export type ControlCommand = keyof ControlCommands
export const CONTROL_COMMANDS: readonly ControlCommand[] = ['status', 'repo-create', 'repo-key', 'repo-list', 'backup', 'snapshots', 'ls', 'find', 'diff', 'restore', 'dump', 'check', 'invite', 'site-retire', 'repair', 'forget', 'tag', 'rewrite', 'stats', 'prune', 'jobs', 'jobs-run']

/** A `data` frame's line is exactly these around the base64 (then a newline): readers may take the fast path. */
export const DATA_FRAME_START = '{"data":"'
export const DATA_FRAME_END = '"}'

/** One line of a response stream (newline-delimited JSON). */
export type ControlFrame =
  | { event: ProgressEvent }
  | { item: unknown }
  /** A piece of a file's content, base64. */
  | { data: string }
  | { result: unknown }
  | { error: { name: string, message: string } }
