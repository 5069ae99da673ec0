import type { PruneResult } from '../tools/resilien-site.js'
import type { DatasetInfo, TargetCheck } from './phase-types.js'

/** One backup of the series that prune then thins out. */
export interface PruneSeriesBackup {
  snapshot: string
  seconds: number
  /** Bytes of the tree backed up. */
  sourceBytes: number
  /** Files and bytes given new content just before this backup (none before the first). */
  rewrittenFiles: number
  rewrittenBytes: number
  /** The backup's own figures: new chunk bytes before and after compression. */
  newBytes: number
  packedBytes: number
}

/** One size: a fresh site, the series of backups, then `forget --keep-last --prune`. */
export interface PruneRun {
  /** Multiple of the base size. */
  factor: number
  dataset: DatasetInfo
  backups: PruneSeriesBackup[]
  /**
   * Shard bytes (status) and the whole data dir, before and just after forget + prune: the new
   * packs of the repack are in, the deleted packs' shards still there (shard GC removes them after
   * its grace period, RESILIEN_GC_GRACE).
   */
  storedBeforeBytes: number
  storedAfterBytes: number
  dataDirBeforeBytes: number
  dataDirAfterBytes: number
  /** Wall seconds of `forget --prune` as the user waits for it. */
  seconds: number
  snapshotsKept: number
  snapshotsRemoved: number
  prune?: PruneResult
  /** The node's VmHWM during the command (reset at its start), and its VmRSS just before (restarted after the backups). */
  peakRssBytes: number
  rssBeforeBytes: number
  /**
   * Resident pages of LevelDB's tables (chunk index, shard index, catalog), which LevelDB maps,
   * just after the command: part of the peak that grows with the repository.
   */
  leveldbMappedBytes: number
  /** The node's VmRSS after the backups, before its restart: what they left behind. */
  rssAfterBackupsBytes: number
  idleRssBytes: number
  nodeCpuSeconds: number
  /** The CLI's (NaN without GNU time). */
  cliCpuSeconds: number
}

export interface PruneBenchResult {
  /** Day 0 at the base size. */
  dataset: DatasetInfo
  kdf: string
  snapshots: number
  rewriteShare: number
  keepLast: number
  runs: PruneRun[]
  targets: TargetCheck[]
  warnings: string[]
}
