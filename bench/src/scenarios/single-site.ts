import { mkdirSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { advanceDay, datasetOptions, generateDayZero, syncTree, treeStats } from '../dataset/index.js'
import type { DatasetPlan } from '../dataset/index.js'
import { onCleanup } from '../process/cleanup.js'
import { currentRssBytes, peakRssBytes, processCpuSeconds, resetPeakRss } from '../process/proc-stats.js'
import type { TimedRun } from '../process/timed-run.js'
import { haveGnuTime } from '../process/timed-run.js'
import { ResilienSite } from '../tools/resilien-site.js'
import type { BackupStats } from '../tools/resilien-site.js'
import { ResticRepo, resticVersion } from '../tools/restic.js'
import { compareTrees } from '../tools/verify-tree.js'
import { evaluateTargets } from './single-site-targets.js'
import type { PhaseFigures, ScaleCheck, SingleSiteResult } from './single-site-types.js'

export interface SingleSiteOptions {
  /** Day 0's size in bytes (generator only). */
  size: number
  seed: number
  filesScale: number
  /** Use this tree as day 0 instead of the generator; `corpusNext` as day 1 (else no next day). */
  corpus?: string
  corpusNext?: string
  /** Data size multiple of the memory scale check; 0 skips it. */
  scaleFactor: number
  /** Compare with restic when it is installed. */
  restic: boolean
  log: (line: string) => void
}

const MB = 1e6
/** The scale check's repositories use the test KDF: scrypt's 128 MiB would hide the data path. */
const SCALE_ENV = { RESILIEN_KDF: 'test' }
const SITE_ENV = { RESILIEN_PASSWORD: 'resilien bench passphrase' }

function figures (sourceBytes: number, seconds: number, cpuSeconds: number, peakRssBytes: number): PhaseFigures {
  return { sourceBytes, seconds, mbPerSecond: sourceBytes / MB / seconds, cpuSeconds, peakRssBytes }
}

/** The site's stored bytes after its last phase: the next phase's starting point (saves a CLI call). */
const lastStored = new WeakMap<ResilienSite, number>()

/** Runs one CLI command against the node and charges it the node's CPU and peak memory. */
async function resilienPhase (site: ResilienSite, sourceBytes: number, work: () => Promise<{ run: TimedRun, stats?: BackupStats }>): Promise<PhaseFigures> {
  const stored0 = lastStored.get(site) ?? await site.storedBytes()
  const dir0 = treeStats(site.dataDir).bytes
  const pid = site.pid
  const rssBefore = currentRssBytes(pid)
  resetPeakRss(pid)
  const cpu0 = processCpuSeconds(pid)
  const { run, stats } = await work()
  const nodeCpu = processCpuSeconds(pid) - cpu0
  const peak = peakRssBytes(pid)
  const f = figures(sourceBytes, run.seconds, nodeCpu + (Number.isNaN(run.cpuSeconds) ? 0 : run.cpuSeconds), peak)
  const stored1 = await site.storedBytes()
  lastStored.set(site, stored1)
  f.storedBytes = stored1 - stored0
  f.dataDirBytes = treeStats(site.dataDir).bytes - dir0
  f.notes = { nodeCpuSeconds: nodeCpu, nodeRssBeforeBytes: rssBefore, cliCpuSeconds: run.cpuSeconds, cliMaxRssBytes: run.maxRssBytes }
  if (stats !== undefined) {
    f.newBytes = stats.newBytes
    f.packedBytes = stats.packedBytes
    f.notes = { ...f.notes, nodeReportedSeconds: stats.seconds, files: stats.files, unchangedFiles: stats.unchangedFiles, bytesRead: stats.bytesRead, newChunks: stats.newChunks, packs: stats.packs }
  }
  return f
}

async function resticPhase (repo: ResticRepo, sourceBytes: number, work: () => Promise<{ run: TimedRun, summary?: object | undefined }>): Promise<PhaseFigures> {
  const before = treeStats(repo.repoDir).bytes
  const { run, summary } = await work()
  const f = figures(sourceBytes, run.seconds, run.cpuSeconds, run.maxRssBytes)
  f.storedBytes = treeStats(repo.repoDir).bytes - before
  if (summary !== undefined) {
    f.notes = {}
    for (const k of ['files_new', 'files_changed', 'files_unmodified', 'data_added', 'total_duration']) {
      const v = (summary as Record<string, unknown>)[k]
      if (typeof v === 'number') f.notes[k] = v
    }
  }
  return f
}

function describe (tool: string, phase: string, f: PhaseFigures): string {
  const stored = f.storedBytes === undefined ? '' : `, stored ${(f.storedBytes / MB).toFixed(1)} MB`
  return `  ${tool} ${phase}: ${f.seconds.toFixed(1)} s, ${f.mbPerSecond.toFixed(0)} MB/s, ${f.cpuSeconds.toFixed(1)} CPU s, peak RSS ${(f.peakRssBytes / 2 ** 20).toFixed(0)} MiB${stored}`
}

/** A fresh site with the test KDF: one first backup of `source`; the node's peak RSS and MB/s. */
async function scaleRun (root: string, name: string, source: string): Promise<{ peak: number, mbPerSecond: number, bytes: number }> {
  const site = new ResilienSite(join(root, name), { ...SITE_ENV, ...SCALE_ENV })
  try {
    await site.init(name)
    await site.start()
    await site.createRepo()
    const bytes = treeStats(source).bytes
    const f = await resilienPhase(site, bytes, async () => site.backup([source]))
    return { peak: f.peakRssBytes, mbPerSecond: f.mbPerSecond, bytes }
  } finally {
    await site.stop()
    rmSync(site.dataDir, { recursive: true, force: true })
  }
}

/**
 * One site, one repository, the data set's day 0 and day 1: first backup, unchanged re-backup,
 * next-day backup and restore, each by resilien and by restic on the same tree; then the node's
 * memory on a 4x larger first backup.
 */
export async function runSingleSite (options: SingleSiteOptions): Promise<SingleSiteResult> {
  const { log } = options
  const root = mkdtempSync(join(tmpdir(), 'resilien-bench-'))
  const removeRoot = onCleanup(() => rmSync(root, { recursive: true, force: true }))
  const warnings: string[] = []
  let site: ResilienSite | undefined
  if (!haveGnuTime()) warnings.push('/usr/bin/time is missing: CLI and restic CPU and memory are not measured (apt-get install time)')
  try {
    const src = join(root, 'src')
    const dsOptions = datasetOptions({ seed: options.seed, size: options.size, filesScale: options.filesScale })
    let plan: DatasetPlan | undefined
    log(options.corpus === undefined
      ? `generating day 0 (${(options.size / 2 ** 20).toFixed(0)} MiB, seed ${options.seed}, files x${options.filesScale}) in ${src}`
      : `copying corpus ${options.corpus} to ${src}`)
    const t0 = performance.now()
    if (options.corpus === undefined) plan = generateDayZero(src, dsOptions).plan
    else syncTree(options.corpus, src)
    const day0 = { ...treeStats(src), generateSeconds: (performance.now() - t0) / 1000 }
    log(`  ${day0.files} files, ${day0.dirs} folders, ${(day0.bytes / MB).toFixed(0)} MB in ${day0.generateSeconds.toFixed(1)} s`)

    let scale1x: { peak: number, mbPerSecond: number, bytes: number } | undefined
    if (options.scaleFactor > 0 && plan !== undefined) {
      log('memory scale check, 1x: first backup into a fresh site (test KDF)')
      scale1x = await scaleRun(root, 'scale-1x', src)
      log(`  peak RSS ${(scale1x.peak / 2 ** 20).toFixed(0)} MiB, ${scale1x.mbPerSecond.toFixed(0)} MB/s`)
    }

    // resilien's site with the default (strong) KDF: what a user runs.
    site = new ResilienSite(join(root, 'site'), SITE_ENV)
    const mainSite = site
    await site.init('bench')
    await site.start()
    const idleRssBytes = currentRssBytes(site.pid)
    const repoCreate = await site.createRepo()
    const version = options.restic ? await resticVersion() : undefined
    if (options.restic && version === undefined) warnings.push('restic is not installed: no comparison (apt-get install restic)')
    const restic = version === undefined ? undefined : new ResticRepo(join(root, 'restic-repo'), join(root, 'restic-cache'))
    await restic?.init()

    const result: SingleSiteResult = {
      dataset: { source: options.corpus ?? 'generator', seed: options.seed, filesScale: options.filesScale, day0 },
      resilien: { repoCreateSeconds: repoCreate.seconds, idleRssBytes, restoreDifferences: [] },
      ...(version === undefined ? {} : { restic: { version } }),
      targets: [],
      warnings
    }
    const both = async (phase: 'firstBackup' | 'unchangedBackup' | 'nextDayBackup', label: string): Promise<void> => {
      const bytes = treeStats(src).bytes
      const ours = await resilienPhase(mainSite, bytes, async () => mainSite.backup([src]))
      result.resilien[phase] = ours
      log(describe('resilien', label, ours))
      if (restic !== undefined && result.restic !== undefined) {
        const theirs = await resticPhase(restic, bytes, async () => restic.backup([src]))
        result.restic[phase] = theirs
        log(describe('restic  ', label, theirs))
      }
    }
    await both('firstBackup', 'first backup')
    await both('unchangedBackup', 'unchanged re-backup')

    if (plan !== undefined || options.corpusNext !== undefined) {
      const t1 = performance.now()
      let written: number
      let summary
      if (plan !== undefined) {
        const next = advanceDay(src, plan)
        written = next.written
        summary = next.summary
      } else {
        written = syncTree(options.corpusNext as string, src)
      }
      result.dataset.day1 = { ...treeStats(src), writtenBytes: written, mutateSeconds: (performance.now() - t1) / 1000, ...(summary === undefined ? {} : { summary }) }
      log(`next day: ${(written / MB).toFixed(0)} MB written in ${result.dataset.day1.mutateSeconds.toFixed(1)} s`)
      await both('nextDayBackup', 'next-day backup')
    } else {
      warnings.push('no next day (--corpus without --corpus-next): next-day figures skipped')
    }

    const bytes = treeStats(src).bytes
    const ourTarget = join(root, 'restore-resilien')
    mkdirSync(ourTarget)
    const ours = await resilienPhase(mainSite, bytes, async () => ({ run: await mainSite.restore(ourTarget) }))
    result.resilien.restore = ours
    log(describe('resilien', 'restore', ours))
    const check = compareTrees(src, join(ourTarget, src))
    result.resilien.restoreDifferences = check.differences
    if (check.differences.length > 0) warnings.push(`resilien's restore differs from the source: ${check.differences.slice(0, 5).join('; ')}`)
    else log(`  restore verified: ${check.files} files identical`)
    rmSync(ourTarget, { recursive: true, force: true })
    if (restic !== undefined && result.restic !== undefined) {
      const theirTarget = join(root, 'restore-restic')
      const theirs = await resticPhase(restic, bytes, async () => ({ run: await restic.restore(theirTarget) }))
      theirs.storedBytes = undefined
      result.restic.restore = theirs
      log(describe('restic  ', 'restore', theirs))
      rmSync(theirTarget, { recursive: true, force: true })
    }
    await site.stop()
    for (const dir of ['site', 'restic-repo', 'restic-cache', 'src']) rmSync(join(root, dir), { recursive: true, force: true })

    if (scale1x !== undefined) {
      const factor = options.scaleFactor
      const big = join(root, 'src-scaled')
      log(`memory scale check, ${factor}x: generating ${(options.size * factor / 2 ** 20).toFixed(0)} MiB`)
      generateDayZero(big, { ...dsOptions, size: options.size * factor })
      const scaled = await scaleRun(root, 'scale-nx', big)
      rmSync(big, { recursive: true, force: true })
      log(`  peak RSS ${(scaled.peak / 2 ** 20).toFixed(0)} MiB, ${scaled.mbPerSecond.toFixed(0)} MB/s`)
      const scale: ScaleCheck = {
        factor,
        sizes: [scale1x.bytes, scaled.bytes],
        peakRssBytes: [scale1x.peak, scaled.peak],
        mbPerSecond: [scale1x.mbPerSecond, scaled.mbPerSecond],
        note: 'first backup into a fresh site whose repository uses the test KDF (scrypt logN 10), so the peak is the data path\'s'
      }
      result.scale = scale
    }
    result.targets = evaluateTargets(result)
    return result
  } finally {
    await site?.stop()
    removeRoot()
  }
}
