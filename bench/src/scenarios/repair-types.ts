import type { RedundancySummary } from '../tools/resilien-site.js'
import type { ClusterStep } from './cluster-types.js'
import type { DatasetInfo } from './phase-types.js'

/** The steps of one repair run, in order. */
export const REPAIR_STEP = {
  start: 'start sites (init, invite, join, all up)',
  repoCreate: 'repo create',
  backup: 'backup',
  settle: 'settle after backup',
  catalog: 'snapshot listed on survivors',
  kill: 'kill -9 lost site',
  repair: 'site lost until redundancy full',
  settleRepair: 'settle after repair'
} as const

/** One whole run: a fresh cluster, a backup, a site killed and declared lost, its shards rebuilt. */
export interface RepairRun {
  /** RESILIEN_REPAIR_RATE of every site ('0': no cap). */
  repairRate: string
  /** The environment every node and command ran with (the passphrase left out). */
  env: Record<string, string>
  sites: string[]
  lostSite: string
  k: number
  m: number
  backupSeconds: number
  snapshot: string
  /** The lost site's shard bytes in status on the first site just before the kill: what repair rebuilds. */
  rebuiltBytes: number
  /** Shard bytes per site in status on the first site, before the kill and once repaired. */
  storedBeforeBytes: Record<string, number>
  storedAfterBytes: Record<string, number>
  /** Redundancy at the first poll after `site lost`, and at the end. */
  redundancyAtStart?: RedundancySummary
  redundancyAtEnd?: RedundancySummary
  /** Wall seconds from `site lost` to the status that shows every stripe full. */
  repairSeconds: number
  /** rebuiltBytes / repairSeconds, in MB (1e6) per second. */
  mbPerSecond: number
  /** Status probes during the repair (on site1's control socket, every REPAIR_POLL_MS). */
  polls: number
  idleRssBytes: Record<string, number>
  /** Each survivor's VmRSS when `site lost` ran: the floor of its peak (VmHWM resets to it), site1's set by the backup. */
  rssAtRepairStartBytes: Record<string, number>
  steps: ClusterStep[]
  /** The last lines each node printed. */
  nodeLogTails: Record<string, string[]>
}

export interface RepairResult {
  dataset: DatasetInfo
  /** The KDF of the repository: the test one, so that unlocking does not weigh on the figures. */
  kdf: string
  /** Period of the status probes that time the repair. */
  pollMs: number
  runs: RepairRun[]
  warnings: string[]
}
