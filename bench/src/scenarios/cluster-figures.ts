import { join } from 'node:path'
import { treeStats } from '../dataset/index.js'
import type { NamedSite } from '../tools/resilien-cluster.js'
import type { ClusterStatus } from '../tools/resilien-site.js'
import { cpuByProcess, largestPeak, peakByProcess, sentOver, totalCpu } from './cluster-step.js'
import type { ClusterStep, SiteStorage } from './cluster-types.js'
import { figures } from './phase-figures.js'
import type { PhaseFigures } from './phase-types.js'

/** Each site's store/ and data dir on disk, and its shard bytes as two sites' status reports them. */
export function storageOf (sites: readonly NamedSite[], onRestoreSite: ClusterStatus, onBackupSite: ClusterStatus): SiteStorage[] {
  return sites.map(({ name, site }) => ({
    name,
    storeBytes: treeStats(join(site.dataDir, 'store')).bytes,
    statusBytes: onRestoreSite.sites.find((s) => s.name === name)?.storedBytes,
    statusBytesOnBackupSite: onBackupSite.sites.find((s) => s.name === name)?.storedBytes,
    dataDirBytes: treeStats(site.dataDir).bytes
  }))
}

/** Bytes under every site's store/: shards and their index, what the cluster keeps on disk. */
export function storeBytesOf (sites: readonly NamedSite[]): number {
  return sites.reduce((n, s) => n + treeStats(join(s.site.dataDir, 'store')).bytes, 0)
}

/** A phase's figures from its steps: CPU of every process, each one's peak, the bytes sent. */
export function phaseFigures (bytes: number, seconds: number, steps: readonly ClusterStep[]): PhaseFigures {
  const f = figures(bytes, seconds, steps.reduce((n, s) => n + totalCpu(s), 0), largestPeak(steps))
  f.cpuByProcessSeconds = cpuByProcess(steps)
  f.peakRssByProcessBytes = peakByProcess(steps)
  const sent = sentOver(steps)
  if (sent !== undefined) f.sentBytes = sent
  return f
}
