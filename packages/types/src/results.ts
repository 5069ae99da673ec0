/**
 * The totals of one backup: what the engine counts, what the control API carries and what
 * `backup --json` prints under `stats`.
 */
export interface BackupStats {
  files: number
  dirs: number
  /** Files whose size, mtime, ctime and inode matched the parent snapshot: not read again. */
  unchangedFiles: number
  bytesRead: number
  /** Bytes in the snapshot (sum of file sizes). */
  totalBytes: number
  newChunks: number
  /** Plaintext bytes of the chunks that were new to the repository. */
  newBytes: number
  /** Bytes of the new packs (compressed and sealed), before erasure coding. */
  packedBytes: number
  /** Bytes of the new shards written (packs times (k+m)/k). */
  storedBytes: number
  packs: number
  seconds: number
}

/** What `backup` reports: the engine's result, carried as is by the control API. */
export interface BackupResult {
  /** The new snapshot's id; empty after a dry run, which commits none. */
  snapshot: string
  /** A dry run (`backup --dry-run`): the stats say what a backup would add; nothing was written. */
  dryRun?: boolean
  parent?: string
  stats: BackupStats
  /**
   * True when, at commit, some stripe of the snapshot would not survive the loss of a site. A dry
   * run commits nothing and checks nothing: false.
   */
  degraded: boolean
  /** Files that could not be read (vanished, permission denied); the snapshot holds the rest. */
  warnings: string[]
}

/** What `restore` reports. */
export interface RestoreResult {
  snapshot: string
  files: number
  dirs: number
  bytes: number
  seconds: number
  /** Files or folders that could not be written at the target (or, with verify, read back as they should). */
  warnings: string[]
  /** With verify: the files and bytes read back from the target and found as the snapshot has them. */
  verified?: { files: number, bytes: number }
}

export type CheckProblemKind = 'corrupt-shard' | 'missing-shard' | 'missing-stripe' | 'missing-chunk' | 'corrupt-chunk' | 'bad-tree' | 'bad-snapshot' | 'bad-index'

export interface CheckProblem {
  kind: CheckProblemKind
  /** The id the problem is about (shard, pack, chunk or snapshot). */
  id: string
  message: string
}

/** Shards a check could not look at because their site could not be reached. */
export interface UnreachableShards {
  /** The site's peer id. */
  site: string
  /** Its name, filled in by the node that answers. */
  name?: string
  shards: number
}

/**
 * Which packs a check re-reads (`--read-data-subset`, restic's three forms): each pack with
 * probability `share`; group `n` of `of`, a fixed split by pack id (1/7 ... 7/7 read every pack
 * once); or packs at random until about `bytes`.
 */
export type DataSubset =
  | { kind: 'share', share: number }
  | { kind: 'group', n: number, of: number }
  | { kind: 'bytes', bytes: number }

/** What `check` reports. */
export interface CheckReport {
  /** No problem found (shards on unreachable sites are not problems: see `unreachable`). */
  ok: boolean
  problems: CheckProblem[]
  snapshots: number
  packs: number
  /** Shards read whole and re-hashed. */
  shardsRead: number
  bytesRead: number
  /** Per site that could not be reached: its shards were not checked. */
  unreachable: UnreachableShards[]
}

/** What a prune removed (or, with dryRun, would remove). */
export interface PruneResult {
  snapshots: number
  /** Blobs the kept snapshots reference. */
  referencedBlobs: number
  /** Live packs looked at. */
  packs: number
  packsDeleted: number
  packsRepacked: number
  /** Sealed pack bytes no longer stored (before erasure coding); the sites free about (k+m)/k of it. */
  packedBytesFreed: number
  /** Bytes of still-used blobs written again into new packs. */
  bytesRepacked: number
  /** Live index objects swept. */
  indexObjects: number
  /** Index objects replaced: their live listings went into new ones, their packs were deleted. */
  indexObjectsRewritten: number
  /** New index objects those listings went into. */
  indexObjectsWritten: number
  dryRun: boolean
}
