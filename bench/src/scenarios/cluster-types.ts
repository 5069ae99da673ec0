import type { ClusterStatus } from '../tools/resilien-site.js'
import type { DatasetInfo, PhaseFigures, TargetCheck } from './phase-types.js'

/** The steps of a cluster run, in order. */
export const STEP = {
  start: 'start sites (init, invite, join, all up)',
  repoCreate: 'repo create (scrypt KDF)',
  backup: 'first backup',
  settle: 'settle after backup',
  catalog: 'snapshot listed on survivors',
  kill: 'kill -9 backup site',
  restore: 'restore',
  verify: 'verify restored tree'
} as const

/** One step of the cluster run: how long it took and what each process spent on it. */
export interface ClusterStep {
  name: string
  /** Wall seconds of the step. */
  seconds: number
  /** CPU seconds by process: each site's node by its name, and `cli` for the commands (NaN without GNU time). */
  cpuSeconds: Record<string, number>
  /** Each node's VmHWM during the step (reset at its start). */
  peakRssBytes: Record<string, number>
}

/** What one site keeps once the backup has settled. */
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

export interface ClusterResult {
  dataset: DatasetInfo
  cluster: {
    sites: string[]
    /** Data and parity shards per stripe of the bench repository. */
    k: number
    m: number
    backupSite: string
    restoreSite: string
    /** The environment every node and command ran with (the passphrase left out). */
    env: Record<string, string>
    repoCreateSeconds: number
    idleRssBytes: Record<string, number>
    /** `status --json` on the restoring site just after the kill and after the restore. */
    statusAfterKill?: ClusterStatus
    statusAfterRestore?: ClusterStatus
  }
  resilien: {
    /** CPU: every node during the command and until they are idle again, plus the CLI. */
    firstBackup?: PhaseFigures
    /** On a survivor, the backup's site killed (SIGKILL) just before. */
    restore?: PhaseFigures
    snapshot?: string
    restoreDifferences: string[]
  }
  restic?: { version: string, firstBackup?: PhaseFigures, restore?: PhaseFigures }
  steps: ClusterStep[]
  storage: SiteStorage[]
  targets: TargetCheck[]
  /** The last lines each node printed (connections, losses, errors). */
  nodeLogTails: Record<string, string[]>
  warnings: string[]
}
