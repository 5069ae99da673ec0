import { spawnSync } from 'node:child_process'
import { mkdirSync, mkdtempSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { advanceDay, generateDayZero, syncTree, treeStats, warmTree } from '../dataset/index.js'
import { onCleanup } from '../process/cleanup.js'
import { currentRssBytes } from '../process/proc-stats.js'
import { watchProcesses } from '../process/process-usage.js'
import type { ProcessUsage } from '../process/process-usage.js'
import { syncFileSystem } from '../process/settle-disk.js'
import type { TimedRun } from '../process/timed-run.js'
import { GNU_TIME_MISSING, haveGnuTime } from '../process/timed-run.js'
import { BENCH_PASSWORD_ENV, ResilienSite } from '../tools/resilien-site.js'
import type { BackupStats } from '../tools/resilien-site.js'
import { RESTIC_DIRS, setUpRestic } from '../tools/restic.js'
import type { ResticRepo } from '../tools/restic.js'
import { verifyRestore } from '../tools/verify-tree.js'
import { prepareDayZero } from './day-zero.js'
import { addBackupStats, cliCpuSeconds, describePhase, figures, peerPhase } from './phase-figures.js'
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
/** The site's stored bytes after its last phase: the next phase's starting point (saves a CLI call). */
const lastStored = new WeakMap<ResilienSite, number>()

/** Runs one CLI command against the node and charges it the node's CPU and peak memory. */
async function resilienPhase (site: ResilienSite, sourceBytes: number, work: () => Promise<{ run: TimedRun, stats?: BackupStats }>): Promise<PhaseFigures> {
  const stored0 = lastStored.get(site) ?? await site.storedBytes()
  const dir0 = treeStats(site.dataDir).bytes
  const finish = watchProcesses([site.pid])
  const { run, stats } = await work()
  const [node] = finish() as [ProcessUsage]
  const f = figures(sourceBytes, run.seconds, node.cpuSeconds + cliCpuSeconds(run), node.peakRssBytes)
  const stored1 = await site.storedBytes()
  lastStored.set(site, stored1)
  f.storedBytes = stored1 - stored0
  f.dataDirBytes = treeStats(site.dataDir).bytes - dir0
  f.notes = { nodeCpuSeconds: node.cpuSeconds, nodeRssBeforeBytes: node.rssBeforeBytes, cliCpuSeconds: run.cpuSeconds, cliMaxRssBytes: run.maxRssBytes }
  if (stats !== undefined) addBackupStats(f, stats)
  return f
}

/** A fresh site with the test KDF: one first backup of `source`; the node's peak RSS and MB/s. */
async function scaleRun (root: string, name: string, source: string): Promise<{ peak: number, mbPerSecond: number, bytes: number }> {
  const site = new ResilienSite(join(root, name), { ...BENCH_PASSWORD_ENV, ...SCALE_ENV })
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

type TarListing = NonNullable<SingleSiteResult['resilien']['dumpCheck']>['ours']

/** Entries and bytes of a tar archive, as GNU tar lists it; undefined (and a warning) when tar cannot read it. */
function tarListing (file: string, warnings: string[]): TarListing | undefined {
  const listed = spawnSync('tar', ['-tf', file], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 })
  if (listed.status !== 0) {
    const why = listed.error?.message ?? listed.stderr.trim().split('\n').pop()
    warnings.push(`tar -tf ${file}: ${why === undefined || why === '' ? `exit ${String(listed.status)}` : why}`)
    return undefined
  }
  return { entries: listed.stdout.split('\n').filter((l) => l !== '').length, bytes: statSync(file).size }
}

/**
 * `dump` of the whole source folder as a tar archive, by resilien and by restic, each into a file
 * on the same disk; GNU tar then lists both, and a different number of entries is a warning.
 * Not a figure of the issues: measured because `dump` is the disaster-recovery path of a
 * database dump (`resilien dump ... | psql`).
 */
async function dumpPhases (root: string, src: string, bytes: number, site: ResilienSite, restic: ResticRepo | undefined, result: SingleSiteResult, log: (line: string) => void, warnings: string[]): Promise<void> {
  /** One tool's dump into `file`: its figures (nothing stored), then the archive's listing; the file is removed. */
  const dumpInto = async (tool: string, file: string, phase: () => Promise<PhaseFigures>): Promise<{ figures: PhaseFigures, listing: TarListing | undefined }> => {
    const figures = await phase()
    figures.storedBytes = undefined
    log(describePhase(tool, 'dump', figures))
    const listing = tarListing(file, warnings)
    rmSync(file, { force: true })
    return { figures, listing }
  }
  const ourFile = join(root, 'dump-resilien.tar')
  const ours = await dumpInto('resilien', ourFile, async () => await resilienPhase(site, bytes, async () => ({ run: await site.dump(src, ourFile) })))
  result.resilien.dump = ours.figures
  if (ours.listing !== undefined) result.resilien.dumpCheck = { ours: ours.listing }
  if (restic === undefined || result.restic === undefined) return
  const theirFile = join(root, 'dump-restic.tar')
  const theirs = await dumpInto('restic  ', theirFile, async () => await peerPhase(restic, bytes, async () => ({ run: await restic.dump(src, theirFile) })))
  result.restic.dump = theirs.figures
  if (theirs.listing === undefined || ours.listing === undefined || result.resilien.dumpCheck === undefined) return
  result.resilien.dumpCheck.restic = theirs.listing
  // resilien's archive starts with the folder dumped itself (its mode and time), restic's below it.
  if (theirs.listing.entries + 1 !== ours.listing.entries) warnings.push(`dump: resilien's archive lists ${ours.listing.entries} entries, restic's ${theirs.listing.entries} (the dumped folder's own entry apart, they should match)`)
}

/**
 * One site, one repository, the data set's day 0 and day 1: first backup, unchanged re-backup,
 * next-day backup, restore and a dump of the tree as tar, each by resilien and by restic on the same
 * tree; then the node's memory on a 4x larger first backup.
 */
export async function runSingleSite (options: SingleSiteOptions): Promise<SingleSiteResult> {
  const { log } = options
  const root = mkdtempSync(join(tmpdir(), 'resilien-bench-'))
  const removeRoot = onCleanup(() => rmSync(root, { recursive: true, force: true }))
  const warnings: string[] = []
  let site: ResilienSite | undefined
  if (!haveGnuTime()) warnings.push(GNU_TIME_MISSING)
  try {
    const { src, dsOptions, plan, dataset } = prepareDayZero(root, options)

    let scale1x: { peak: number, mbPerSecond: number, bytes: number } | undefined
    if (options.scaleFactor > 0 && plan !== undefined) {
      log('memory scale check, 1x: first backup into a fresh site (test KDF)')
      scale1x = await scaleRun(root, 'scale-1x', src)
      log(`  peak RSS ${(scale1x.peak / 2 ** 20).toFixed(0)} MiB, ${scale1x.mbPerSecond.toFixed(0)} MB/s`)
    }

    // resilien's site with the default (strong) KDF: what a user runs.
    site = new ResilienSite(join(root, 'site'), BENCH_PASSWORD_ENV)
    const mainSite = site
    await site.init('bench')
    await site.start()
    const idleRssBytes = currentRssBytes(site.pid)
    const repoCreate = await site.createRepo()
    const tool = await setUpRestic(root, options.restic, warnings)
    const restic = tool?.repo
    const version = tool?.version

    const result: SingleSiteResult = {
      dataset,
      resilien: { repoCreateSeconds: repoCreate.run.seconds, idleRssBytes, restoreDifferences: [] },
      ...(version === undefined ? {} : { restic: { version } }),
      targets: [],
      warnings
    }
    const both = async (phase: 'firstBackup' | 'unchangedBackup' | 'nextDayBackup', label: string): Promise<void> => {
      const bytes = treeStats(src).bytes
      warmTree(src)
      const ours = await resilienPhase(mainSite, bytes, async () => mainSite.backup([src]))
      result.resilien[phase] = ours
      log(describePhase('resilien', label, ours))
      if (restic !== undefined && result.restic !== undefined) {
        warmTree(src)
        const theirs = await peerPhase(restic, bytes, async () => restic.backup([src]))
        result.restic[phase] = theirs
        log(describePhase('restic  ', label, theirs))
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
    log(describePhase('resilien', 'restore', ours))
    result.resilien.restoreDifferences = verifyRestore(src, ourTarget, log, warnings)
    // Each restored tree is written back before the next step (neither tool fsyncs one) and both
    // are removed after both restores, so that no restore follows the other's deletion (see
    // storageNote in machine.ts: ext4 without a journal).
    syncFileSystem(root)
    const theirTarget = join(root, 'restore-restic')
    if (restic !== undefined && result.restic !== undefined) {
      const theirs = await peerPhase(restic, bytes, async () => ({ run: await restic.restore(theirTarget) }))
      theirs.storedBytes = undefined
      result.restic.restore = theirs
      log(describePhase('restic  ', 'restore', theirs))
      syncFileSystem(root)
    }
    for (const target of [ourTarget, theirTarget]) rmSync(target, { recursive: true, force: true })
    await dumpPhases(root, src, bytes, mainSite, restic, result, log, warnings)
    await site.stop()
    for (const dir of ['site', ...RESTIC_DIRS, 'src']) rmSync(join(root, dir), { recursive: true, force: true })

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
