import type { SingleSiteResult, TargetCheck } from './single-site-types.js'
import { NODE_PEAK_RSS_TARGET_BYTES, compare } from './target-check.js'

const MiB = 1024 * 1024

/** The targets for one site against restic on the same machine and data. */
export const TARGETS = {
  /** First backup at least as fast as restic's. */
  firstBackupThroughputRatio: 1,
  /** Unchanged re-backup no slower than restic's. */
  unchangedTimeRatio: 1,
  /** Next day stores at most this share of what restic stores (64 KiB chunks against 1 MiB). */
  nextDayStoredRatio: 0.3,
  /** Restore at least as fast as restic's. */
  restoreThroughputRatio: 1,
  /** The node's peak RSS, whatever the data size. */
  peakRssBytes: NODE_PEAK_RSS_TARGET_BYTES,
  /** Peak RSS at 4x the data within this share of the 1x one. */
  scaleRssTolerance: 0.1
}

export function evaluateTargets (r: SingleSiteResult): TargetCheck[] {
  const ours = r.resilien
  const theirs = r.restic
  const out: TargetCheck[] = [
    compare('first backup throughput (MB/s)', ours.firstBackup?.mbPerSecond, theirs?.firstBackup?.mbPerSecond,
      `>= ${TARGETS.firstBackupThroughputRatio}x restic`, (x) => x >= TARGETS.firstBackupThroughputRatio),
    compare('unchanged re-backup time (s)', ours.unchangedBackup?.seconds, theirs?.unchangedBackup?.seconds,
      `<= ${TARGETS.unchangedTimeRatio}x restic`, (x) => x <= TARGETS.unchangedTimeRatio),
    compare('next-day new data, packed (MiB)', ours.nextDayBackup?.packedBytes === undefined ? undefined : ours.nextDayBackup.packedBytes / MiB,
      theirs?.nextDayBackup?.storedBytes === undefined ? undefined : theirs.nextDayBackup.storedBytes / MiB,
      `<= ${TARGETS.nextDayStoredRatio}x restic`, (x) => x <= TARGETS.nextDayStoredRatio),
    compare('next-day stored, shards incl. parity (MiB)', ours.nextDayBackup?.storedBytes === undefined ? undefined : ours.nextDayBackup.storedBytes / MiB,
      theirs?.nextDayBackup?.storedBytes === undefined ? undefined : theirs.nextDayBackup.storedBytes / MiB,
      `<= ${TARGETS.nextDayStoredRatio}x restic`, (x) => x <= TARGETS.nextDayStoredRatio),
    compare('restore throughput (MB/s)', ours.restore?.mbPerSecond, theirs?.restore?.mbPerSecond,
      `>= ${TARGETS.restoreThroughputRatio}x restic`, (x) => x >= TARGETS.restoreThroughputRatio)
  ]
  // The backup and restore phases, as in earlier reports; the dump has a row of its own (restic's
  // dump is its highest phase, so counting it here would move the ratio without either tool's
  // backups moving).
  const peaks = (['firstBackup', 'unchangedBackup', 'nextDayBackup', 'restore'] as const)
    .map((p) => ours[p]?.peakRssBytes).filter((x): x is number => x !== undefined && !Number.isNaN(x))
  const theirPeaks = (['firstBackup', 'unchangedBackup', 'nextDayBackup', 'restore'] as const)
    .map((p) => theirs?.[p]?.peakRssBytes).filter((x): x is number => x !== undefined && !Number.isNaN(x))
  if (peaks.length > 0) {
    const peak = Math.max(...peaks) / MiB
    const theirPeak = theirPeaks.length > 0 ? Math.max(...theirPeaks) / MiB : undefined
    out.push({
      name: 'node peak RSS, all phases (MiB)',
      ours: peak,
      ...(theirPeak === undefined ? {} : { theirs: theirPeak, ratio: peak / theirPeak }),
      target: `<= ${TARGETS.peakRssBytes / MiB} MiB`,
      met: peak <= TARGETS.peakRssBytes / MiB
    })
  }
  const dumpPeak = ours.dump?.peakRssBytes
  if (dumpPeak !== undefined && !Number.isNaN(dumpPeak)) {
    const theirDump = theirs?.dump?.peakRssBytes
    out.push({
      name: 'node peak RSS, dump of the tree (MiB)',
      ours: dumpPeak / MiB,
      ...(theirDump === undefined || Number.isNaN(theirDump) ? {} : { theirs: theirDump / MiB, ratio: dumpPeak / theirDump }),
      target: `<= ${TARGETS.peakRssBytes / MiB} MiB`,
      met: dumpPeak <= TARGETS.peakRssBytes
    })
  }
  if (r.scale !== undefined) {
    const [one, n] = r.scale.peakRssBytes as [number, number]
    out.push({
      name: 'node peak RSS, data path, 1x (MiB)',
      ours: one / MiB,
      target: `<= ${TARGETS.peakRssBytes / MiB} MiB`,
      met: one <= TARGETS.peakRssBytes
    })
    out.push({
      name: `node peak RSS, data path, ${r.scale.factor}x (MiB)`,
      ours: n / MiB,
      theirs: one / MiB,
      ratio: n / one,
      target: `within ${TARGETS.scaleRssTolerance * 100} % of 1x`,
      met: Math.abs(n / one - 1) <= TARGETS.scaleRssTolerance && n <= TARGETS.peakRssBytes
    })
  }
  return out
}
