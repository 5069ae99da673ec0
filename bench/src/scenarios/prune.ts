import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { rewriteShare, treeStats } from '../dataset/index.js'
import type { DatasetPlan } from '../dataset/index.js'
import { onCleanup } from '../process/cleanup.js'
import { currentRssBytes, mappedFileRssBytes } from '../process/proc-stats.js'
import { waitForQuiet, watchProcesses } from '../process/process-usage.js'
import type { ProcessUsage, QuietOptions } from '../process/process-usage.js'
import { GNU_TIME_MISSING, haveGnuTime } from '../process/timed-run.js'
import { nodeComplaints } from '../tools/resilien-cluster.js'
import { BENCH_PASSWORD_ENV, ResilienSite } from '../tools/resilien-site.js'
import { prepareDayZero } from './day-zero.js'
import type { PruneBenchResult, PruneRun, PruneSeriesBackup } from './prune-types.js'
import { evaluatePruneTargets } from './prune-targets.js'

export interface PruneOptions {
  /** Day 0's size in bytes at 1x. */
  size: number
  seed: number
  filesScale: number
  /** The second size's multiple of `size`; 0 or 1: only 1x. */
  scaleFactor: number
  log: (line: string) => void
}

/** Backups in the series: day 0, then a rewrite before each of the others. */
const SNAPSHOTS = 4
/** Share of the tree's bytes given new content between two backups: most of a forgotten snapshot becomes garbage. */
const REWRITE_SHARE = 0.5
/** `forget --keep-last`: only the newest snapshot stays, so prune deletes and repacks what the others held. */
const KEEP_LAST = 1
/** The test KDF: unlocking with scrypt's 64 MiB would hide prune's own memory. */
const PRUNE_ENV = { RESILIEN_KDF: 'test' }
/** The node is idle (shards written, index saved) before the measured command: under 5 % of a core over 1 s. */
const SETTLE: QuietOptions = { sampleMs: 1000, busyShare: 0.05, timeoutMs: 60_000 }

const MB = 1e6
const MiB = 1024 * 1024

/** A fresh site at `factor` times the size: the series of backups, then forget + prune under measure. */
async function pruneRun (root: string, factor: number, o: PruneOptions, warnings: string[]): Promise<PruneRun> {
  const { log } = o
  const dir = join(root, `${factor}x`)
  const site = new ResilienSite(join(dir, 'site'), { ...BENCH_PASSWORD_ENV, ...PRUNE_ENV })
  try {
    const { src, plan, dataset } = prepareDayZero(dir, { ...o, size: o.size * factor })
    await site.init(`prune-${factor}x`)
    await site.start()
    const idleRssBytes = currentRssBytes(site.pid)
    await site.createRepo()
    const backups: PruneSeriesBackup[] = []
    let current = plan as DatasetPlan
    for (let i = 0; i < SNAPSHOTS; i++) {
      let rewrittenFiles = 0
      let rewrittenBytes = 0
      if (i > 0) {
        const rewrite = rewriteShare(src, current, REWRITE_SHARE)
        current = rewrite.plan
        rewrittenFiles = rewrite.files
        rewrittenBytes = rewrite.written
      }
      const { run, stats, snapshot } = await site.backup([src])
      const sourceBytes = treeStats(src).bytes
      backups.push({ snapshot, seconds: run.seconds, sourceBytes, rewrittenFiles, rewrittenBytes, newBytes: stats.newBytes, packedBytes: stats.packedBytes })
      log(`  ${factor}x backup ${i + 1}/${SNAPSHOTS}: ${i === 0 ? 'day 0' : `${rewrittenFiles} files (${(rewrittenBytes / MB).toFixed(0)} MB) rewritten`}, ` +
        `${run.seconds.toFixed(1)} s, ${(stats.packedBytes / MB).toFixed(0)} MB packed`)
    }
    const settled = await waitForQuiet([site.pid], SETTLE)
    if (!settled.quiet) warnings.push(`${factor}x: the node was still busy ${SETTLE.timeoutMs / 1000} s after the last backup`)
    // The backups leave their heap behind (VmHWM can only be reset down to the current RSS): a
    // fresh node makes the peak prune's own, whatever the backups before it held.
    const rssAfterBackupsBytes = currentRssBytes(site.pid)
    await site.stop()
    await site.start()
    const restarted = await waitForQuiet([site.pid], SETTLE)
    if (!restarted.quiet) warnings.push(`${factor}x: the node was still busy ${SETTLE.timeoutMs / 1000} s after its restart`)
    const storedBeforeBytes = await site.storedBytes()
    const dataDirBeforeBytes = treeStats(site.dataDir).bytes

    const finish = watchProcesses([site.pid])
    const { run, result } = await site.forgetAndPrune(KEEP_LAST)
    const [node] = finish() as [ProcessUsage]
    const leveldbMappedBytes = mappedFileRssBytes(site.pid, (path) => path.endsWith('.ldb'))
    const out: PruneRun = {
      factor,
      dataset,
      backups,
      storedBeforeBytes,
      storedAfterBytes: await site.storedBytes(),
      dataDirBeforeBytes,
      dataDirAfterBytes: treeStats(site.dataDir).bytes,
      seconds: run.seconds,
      snapshotsKept: result.keep.length,
      snapshotsRemoved: result.remove.length,
      ...(result.prune === undefined ? {} : { prune: result.prune }),
      peakRssBytes: node.peakRssBytes,
      rssBeforeBytes: node.rssBeforeBytes,
      leveldbMappedBytes,
      rssAfterBackupsBytes,
      idleRssBytes,
      nodeCpuSeconds: node.cpuSeconds,
      cliCpuSeconds: run.cpuSeconds
    }
    if (result.prune === undefined) warnings.push(`${factor}x: forget --prune reported no prune result`)
    log(`  ${factor}x forget --keep-last ${KEEP_LAST} --prune: ${run.seconds.toFixed(1)} s, node peak RSS ${(node.peakRssBytes / MiB).toFixed(0)} MiB ` +
      `(${(node.rssBeforeBytes / MiB).toFixed(0)} MiB before, LevelDB tables resident just after: ${(leveldbMappedBytes / MiB).toFixed(1)} MiB), ${result.prune?.packsDeleted ?? '-'} packs deleted, ${result.prune?.packsRepacked ?? '-'} repacked, ` +
      `${((result.prune?.packedBytesFreed ?? 0) / MB).toFixed(0)} MB freed`)
    for (const line of nodeComplaints(site)) warnings.push(`${factor}x node printed: ${line}`)
    return out
  } catch (err) {
    throw new Error(`${err instanceof Error ? err.message : String(err)}\n--- ${factor}x node log ---\n${site.log.trimEnd()}`)
  } finally {
    await site.stop()
    rmSync(dir, { recursive: true, force: true })
  }
}

/**
 * Prune's memory as the repository grows: at 1x and `scaleFactor` x the size, a fresh site backs
 * up a tree four times (half of its bytes new each time), then forgets all but the last snapshot
 * and prunes; the node's peak RSS during that command should not grow with the repository.
 */
export async function runPrune (options: PruneOptions): Promise<PruneBenchResult> {
  const root = mkdtempSync(join(tmpdir(), 'resilien-bench-prune-'))
  const removeRoot = onCleanup(() => rmSync(root, { recursive: true, force: true }))
  const warnings: string[] = []
  if (!haveGnuTime()) warnings.push(GNU_TIME_MISSING)
  try {
    const factors = options.scaleFactor > 1 ? [1, options.scaleFactor] : [1]
    const runs: PruneRun[] = []
    for (const factor of factors) runs.push(await pruneRun(root, factor, options, warnings))
    const result: PruneBenchResult = {
      dataset: (runs[0] as PruneRun).dataset,
      kdf: PRUNE_ENV.RESILIEN_KDF,
      snapshots: SNAPSHOTS,
      rewriteShare: REWRITE_SHARE,
      keepLast: KEEP_LAST,
      runs,
      targets: [],
      warnings
    }
    result.targets = evaluatePruneTargets(result)
    return result
  } finally {
    removeRoot()
  }
}
