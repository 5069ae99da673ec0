import { STEP } from './cluster-types.js'
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

/** Steps whose peak memory counts against the target: the data path (not repo create, not the bench's probes). */
export const DATA_STEPS: readonly string[] = [STEP.backup, STEP.settle, STEP.restore]

export function cpuPerGb (f: PhaseFigures | undefined): number | undefined {
  return f === undefined ? undefined : f.cpuSeconds / (f.sourceBytes / GB)
}

export function evaluateClusterTargets (r: ClusterResult): TargetCheck[] {
  const ours = r.resilien
  const theirs = r.restic
  const out: TargetCheck[] = [
    compare('first backup throughput (MB/s)', ours.firstBackup?.mbPerSecond, theirs?.firstBackup?.mbPerSecond,
      `>= ${CLUSTER_TARGETS.backupThroughputRatio}x restic`, (x) => x >= CLUSTER_TARGETS.backupThroughputRatio),
    compare(`restore throughput, ${r.cluster.backupSite} killed (MB/s)`, ours.restore?.mbPerSecond, theirs?.restore?.mbPerSecond,
      `>= ${CLUSTER_TARGETS.restoreThroughputRatio}x restic`, (x) => x >= CLUSTER_TARGETS.restoreThroughputRatio),
    compare('first backup CPU, all processes (s/GB)', cpuPerGb(ours.firstBackup), cpuPerGb(theirs?.firstBackup),
      `<= ${CLUSTER_TARGETS.cpuPerGbRatio}x restic`, (x) => x <= CLUSTER_TARGETS.cpuPerGbRatio),
    compare('restore CPU, all processes (s/GB)', cpuPerGb(ours.restore), cpuPerGb(theirs?.restore),
      `<= ${CLUSTER_TARGETS.cpuPerGbRatio}x restic`, (x) => x <= CLUSTER_TARGETS.cpuPerGbRatio)
  ]
  for (const site of r.cluster.sites) {
    const peaks = r.steps.filter((s) => DATA_STEPS.includes(s.name))
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
