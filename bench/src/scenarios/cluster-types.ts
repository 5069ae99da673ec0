import type { MutationSummary, TreeStats } from '../dataset/index.js'
import type { MemoryTimeline } from '../process/rss-sampler.js'
import type { PeerName } from '../tools/peer-tool.js'
import type { ClusterStatus } from '../tools/resilien-site.js'
import type { DatasetInfo, PhaseFigures, TargetCheck } from './phase-types.js'

/** The five phases of a cluster run, in order: what the issue asks to measure. */
export const CLUSTER_PHASES = ['firstBackup', 'nextDayBackup', 'unchangedBackup', 'restoreAllUp', 'restoreOneKilled'] as const
export type ClusterPhase = typeof CLUSTER_PHASES[number]

/** How a phase is named in tables and charts. */
export const PHASE_LABEL: Record<ClusterPhase, string> = {
  firstBackup: 'first backup',
  nextDayBackup: 'next-day backup',
  unchangedBackup: 'unchanged re-backup',
  restoreAllUp: 'restore, all sites up',
  restoreOneKilled: 'restore, one site killed'
}

/** A peer has one restore (its repository is local): it stands beside both of resilien's. */
export type PeerPhase = 'firstBackup' | 'nextDayBackup' | 'unchangedBackup' | 'restore'
export const PEER_PHASE_OF: Record<ClusterPhase, PeerPhase> = {
  firstBackup: 'firstBackup',
  nextDayBackup: 'nextDayBackup',
  unchangedBackup: 'unchangedBackup',
  restoreAllUp: 'restore',
  restoreOneKilled: 'restore'
}

/** The steps of a cluster run, in order (the backup steps once per backup phase). */
export const STEP = {
  start: 'start sites (init, invite, join, all up)',
  repoCreate: 'repo create (scrypt KDF)',
  backup: (phase: string) => phase,
  settle: (phase: string) => `settle after ${phase}`,
  catalog: (phase: string) => `snapshot listed on survivors (${phase})`,
  peer: (tool: string, phase: string) => `${tool} ${phase}`,
  kill: 'kill -9 backup site',
  verify: (phase: string) => `verify ${phase}`
} as const

/** One step of the cluster run: how long it took and what each process spent on it. */
export interface ClusterStep {
  name: string
  /** Wall seconds of the step. */
  seconds: number
  /** CPU seconds by process: each site's node by its name, and `cli` for the commands (NaN without GNU time). */
  cpuSeconds: Record<string, number>
  /** Each node's VmHWM during the step (reset at its start), and the CLI's max RSS as `cli`. */
  peakRssBytes: Record<string, number>
  /** TCP bytes each node sent during the step, where counted. */
  sentBytes?: Record<string, number>
}

/** What one site keeps once the backups have settled. */
export interface SiteStorage {
  name: string
  /** Bytes of the files under the site's store/ (shards and their index). */
  storeBytes: number
  /** The site's shard bytes as `status --json` reports them, on the site that restores. */
  statusBytes: number | undefined
  /** ... and on the site that made the backup. */
  statusBytesOnBackupSite: number | undefined
  /** The whole data dir: store, catalog, cache, config. */
  dataDirBytes: number
}

/** A peer's figures on the same data, in the same run. */
export interface PeerResult {
  tool: PeerName
  version: string
  compression: string
  encryption: string
  phases: Partial<Record<PeerPhase, PhaseFigures>>
}

export interface ClusterResult {
  dataset: DatasetInfo & {
    day1?: TreeStats & { writtenBytes: number, mutateSeconds: number, summary?: MutationSummary }
  }
  cluster: {
    sites: string[]
    /** Data and parity shards per stripe of the bench repository. */
    k: number
    m: number
    backupSite: string
    /** Where the restore after the kill runs. */
    restoreSite: string
    /** Where the restore with every site up runs (another site, so that neither finds the other's index cache). */
    restoreAllUpSite: string
    /** The environment every node and command ran with (the passphrase left out). */
    env: Record<string, string>
    repoCreateSeconds: number
    idleRssBytes: Record<string, number>
    /** `status --json` on the restoring site just after the kill and after the last restore. */
    statusAfterKill?: ClusterStatus
    statusAfterRestore?: ClusterStatus
  }
  /**
   * Backups: wall time of the command; CPU of every node from the command's start until they are
   * idle again, plus the CLI; stored: growth of every site's store/; sent: TCP bytes between sites.
   * Restores: the running nodes and the CLI.
   */
  resilien: Partial<Record<ClusterPhase, PhaseFigures>> & {
    snapshots: string[]
    /** Differences of each restore from the source (empty: identical). */
    restoreDifferences: Partial<Record<ClusterPhase, string[]>>
  }
  peers: PeerResult[]
  /** One line for each peer not run (not installed, or turned off). */
  skippedPeers: string[]
  steps: ClusterStep[]
  storage: SiteStorage[]
  targets: TargetCheck[]
  /** RSS of every process over the run, and the steps. */
  memory?: MemoryTimeline
  /** The last lines each node printed (connections, losses, errors). */
  nodeLogTails: Record<string, string[]>
  warnings: string[]
}
