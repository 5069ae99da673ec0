import { PHASE_LABEL, STEP } from './cluster-types.js'
import type { ClusterResult } from './cluster-types.js'
import type { PhaseFigures, TargetCheck } from './phase-types.js'
import { NODE_PEAK_RSS_TARGET_BYTES, compare } from './target-check.js'

const MiB = 1024 * 1024
const GB = 1e9

/** The targets for a 3-site cluster against restic on one disk. */
export const CLUSTER_TARGETS = {
  /** First backup into the cluster at least as fast as restic's local backup. */
  backupThroughputRatio: 1,
  /** Restore with a site gone at least as fast as restic's restore. */
  restoreThroughputRatio: 1,
  /** CPU of every process per GB of source no more than restic's. */
  cpuPerGbRatio: 1,
  /** Each node's peak RSS. */
  peakRssBytes: NODE_PEAK_RSS_TARGET_BYTES
}

/** Steps whose peak memory counts against the target: the data path (backups, their settling, restores). */
export function isDataStep (name: string): boolean {
  return Object.values(PHASE_LABEL).some((label) => name.startsWith(label)) || name.startsWith(STEP.settle(''))
}

export function cpuPerGb (f: PhaseFigures | undefined): number | undefined {
  return f === undefined ? undefined : f.cpuSeconds / (f.sourceBytes / GB)
}

export function evaluateClusterTargets (r: ClusterResult): TargetCheck[] {
  const ours = r.resilien
  const restic = r.peers.find((p) => p.tool === 'restic')?.phases
  const out: TargetCheck[] = [
    compare('first backup throughput (MB/s)', ours.firstBackup?.mbPerSecond, restic?.firstBackup?.mbPerSecond,
      `>= ${CLUSTER_TARGETS.backupThroughputRatio}x restic`, (x) => x >= CLUSTER_TARGETS.backupThroughputRatio),
    compare(`restore throughput, ${r.cluster.backupSite} killed (MB/s)`, ours.restoreOneKilled?.mbPerSecond, restic?.restore?.mbPerSecond,
      `>= ${CLUSTER_TARGETS.restoreThroughputRatio}x restic`, (x) => x >= CLUSTER_TARGETS.restoreThroughputRatio),
    compare('first backup CPU, all processes (s/GB)', cpuPerGb(ours.firstBackup), cpuPerGb(restic?.firstBackup),
      `<= ${CLUSTER_TARGETS.cpuPerGbRatio}x restic`, (x) => x <= CLUSTER_TARGETS.cpuPerGbRatio),
    compare('restore CPU, all processes (s/GB)', cpuPerGb(ours.restoreOneKilled), cpuPerGb(restic?.restore),
      `<= ${CLUSTER_TARGETS.cpuPerGbRatio}x restic`, (x) => x <= CLUSTER_TARGETS.cpuPerGbRatio)
  ]
  for (const site of r.cluster.sites) {
    const peaks = r.steps.filter((s) => isDataStep(s.name))
      .map((s) => s.peakRssBytes[site]).filter((x): x is number => x !== undefined && !Number.isNaN(x))
    if (peaks.length === 0) continue
    const peak = Math.max(...peaks) / MiB
    out.push({
      name: `${site} node peak RSS (MiB)`,
      ours: peak,
      target: `<= ${CLUSTER_TARGETS.peakRssBytes / MiB} MiB`,
      met: peak <= CLUSTER_TARGETS.peakRssBytes / MiB
    })
  }
  return out
}
