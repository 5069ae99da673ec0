import { mkdirSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { treeStats } from '../dataset/index.js'
import { onCleanup } from '../process/cleanup.js'
import { waitForQuiet } from '../process/process-usage.js'
import type { QuietOptions } from '../process/process-usage.js'
import { GNU_TIME_MISSING, haveGnuTime } from '../process/timed-run.js'
import { logTail, nodeComplaints, startCluster, waitForSnapshot, withNodeLogs } from '../tools/resilien-cluster.js'
import type { NamedSite } from '../tools/resilien-cluster.js'
import { BENCH_PASSWORD_ENV } from '../tools/resilien-site.js'
import type { ClusterStatus } from '../tools/resilien-site.js'
import { setUpRestic } from '../tools/restic.js'
import { verifyRestore } from '../tools/verify-tree.js'
import { evaluateClusterTargets } from './cluster-targets.js'
import { currentRssOf, largestPeak, runStep, sinceStartStep, totalCpu } from './cluster-step.js'
import { STEP } from './cluster-types.js'
import type { ClusterResult, ClusterStep, SiteStorage } from './cluster-types.js'
import { prepareDayZero } from './day-zero.js'
import { addBackupStats, describePhase, figures, resticPhase } from './phase-figures.js'

export interface ClusterOptions {
  /** Day 0's size in bytes (generator only). */
  size: number
  seed: number
  filesScale: number
  /** Use this tree instead of the generator. */
  corpus?: string
  /** Compare with restic when it is installed. */
  restic: boolean
  log: (line: string) => void
}

/** Three sites: the smallest cluster where the default 2+1 coding survives the loss of one. */
const SITE_COUNT = 3
/** Timers of the bench's sites: sync and redial within seconds, so that waits stay short. */
const CLUSTER_ENV = { RESILIEN_SYNC_INTERVAL: '2s', RESILIEN_REDIAL_MAX: '5s' }
/** Time allowed for the sites to see each other, and for a snapshot to reach the survivors. */
const ALL_UP_TIMEOUT_MS = 60_000
const CATALOG_TIMEOUT_MS = 120_000
/** Listing snapshots unlocks the repository (scrypt): probe once a second, not more. */
const CATALOG_POLL_MS = 1000
/**
 * After the backup command returns, the nodes are idle again when together they use less than 5 %
 * of a core over 2.5 s: a sample longer than the 2 s sync interval, so that a sync round shows.
 */
const SETTLE: QuietOptions = { sampleMs: 2500, busyShare: 0.05, timeoutMs: 120_000 }
/** Lines of each node's output kept in the report. */
const LOG_TAIL_LINES = 20

const MB = 1e6

/** Each site's store/ and data dir on disk, and its shard bytes as two sites' status reports them. */
function storageOf (sites: readonly NamedSite[], onRestoreSite: ClusterStatus, onBackupSite: ClusterStatus): SiteStorage[] {
  return sites.map(({ name, site }) => ({
    name,
    storeBytes: treeStats(join(site.dataDir, 'store')).bytes,
    statusBytes: onRestoreSite.sites.find((s) => s.name === name)?.storedBytes,
    statusBytesOnBackupSite: onBackupSite.sites.find((s) => s.name === name)?.storedBytes,
    dataDirBytes: treeStats(site.dataDir).bytes
  }))
}

/**
 * Three sites on this machine, each a node process, made and driven through the CLI: the first
 * backup of day 0 on site1, then site1 killed with SIGKILL and a restore on site2 from the
 * shards of site2 and site3; restic backs up and restores the same tree on the same disk.
 */
export async function runCluster (options: ClusterOptions): Promise<ClusterResult> {
  const { log } = options
  const root = mkdtempSync(join(tmpdir(), 'resilien-bench-cluster-'))
  const removeRoot = onCleanup(() => rmSync(root, { recursive: true, force: true }))
  const warnings: string[] = []
  if (!haveGnuTime()) warnings.push(GNU_TIME_MISSING)
  if (process.env.RESILIEN_KDF !== undefined) warnings.push(`RESILIEN_KDF=${process.env.RESILIEN_KDF} is set: the repository does not use the default KDF`)
  let sites: NamedSite[] = []
  try {
    const { src, dataset } = prepareDayZero(root, options)
    const bytes = dataset.day0.bytes
    const restic = await setUpRestic(root, options.restic, warnings)
    const steps: ClusterStep[] = []

    log(`starting ${SITE_COUNT} sites (sync ${CLUSTER_ENV.RESILIEN_SYNC_INTERVAL}, redial max ${CLUSTER_ENV.RESILIEN_REDIAL_MAX})`)
    const t0 = performance.now()
    sites = await startCluster(join(root, 'sites'), SITE_COUNT, { ...BENCH_PASSWORD_ENV, ...CLUSTER_ENV }, { timeoutMs: ALL_UP_TIMEOUT_MS })
    const [backupSite, restoreSite] = sites as [NamedSite, NamedSite, ...NamedSite[]]
    const survivors = sites.filter((s) => s !== backupSite)
    steps.push(sinceStartStep(STEP.start, (performance.now() - t0) / 1000, sites))
    const idleRssBytes = currentRssOf(sites)
    log(`  all up in ${(steps[0] as ClusterStep).seconds.toFixed(1)} s`)

    const created = await runStep(steps, STEP.repoCreate, sites, async () => backupSite.site.createRepo(), (v) => [v.run])
    const result: ClusterResult = {
      dataset,
      cluster: {
        sites: sites.map((s) => s.name),
        k: created.value.k,
        m: created.value.m,
        backupSite: backupSite.name,
        restoreSite: restoreSite.name,
        env: { ...CLUSTER_ENV, RESILIEN_KDF: process.env.RESILIEN_KDF ?? 'default' },
        repoCreateSeconds: created.value.run.seconds,
        idleRssBytes
      },
      resilien: { restoreDifferences: [] },
      ...(restic === undefined ? {} : { restic: { version: restic.version } }),
      steps,
      storage: [],
      targets: [],
      nodeLogTails: {},
      warnings
    }

    // First backup on site1: the command, then until every node is idle again.
    const stored0 = await restoreSite.site.storedBytes()
    const backup = await runStep(steps, STEP.backup, sites, async () => backupSite.site.backup([src]), (v) => [v.run])
    const settle = await runStep(steps, STEP.settle, sites, async () => waitForQuiet(sites.map((s) => s.site.pid), SETTLE))
    if (!settle.value.quiet) warnings.push(`the nodes were still busy ${SETTLE.timeoutMs / 1000} s after the backup returned`)
    const run = backup.value.run
    const ours = figures(bytes, run.seconds, totalCpu(backup.step) + totalCpu(settle.step), largestPeak([backup.step, settle.step]))
    addBackupStats(ours, backup.value.stats)
    ours.notes = {
      ...ours.notes,
      cliCpuSeconds: run.cpuSeconds,
      cliMaxRssBytes: run.maxRssBytes,
      settleSeconds: settle.step.seconds,
      cpuDuringCommandSeconds: totalCpu(backup.step),
      cpuWhileSettlingSeconds: totalCpu(settle.step)
    }
    result.resilien.firstBackup = ours
    result.resilien.snapshot = backup.value.snapshot
    log(describePhase('resilien', 'first backup', ours) + `, then ${settle.step.seconds.toFixed(1)} s to settle`)

    const snapshot = backup.value.snapshot
    await runStep(steps, STEP.catalog, sites, async () =>
      waitForSnapshot(survivors, snapshot, { timeoutMs: CATALOG_TIMEOUT_MS, intervalMs: CATALOG_POLL_MS }))
    const [onRestoreSite, onBackupSite] = [await restoreSite.site.status(), await backupSite.site.status()]
    result.storage = storageOf(sites, onRestoreSite, onBackupSite)
    ours.storedBytes = onRestoreSite.sites.reduce((n, s) => n + s.storedBytes, 0) - stored0
    for (const s of result.storage) {
      if (s.statusBytes !== s.statusBytesOnBackupSite) {
        warnings.push(`status disagrees on ${s.name}'s stored bytes: ${s.statusBytes ?? 'absent'} on ${restoreSite.name}, ${s.statusBytesOnBackupSite ?? 'absent'} on ${backupSite.name} (store/ holds ${s.storeBytes})`)
      }
    }
    if (restic !== undefined && result.restic !== undefined) {
      result.restic.firstBackup = await resticPhase(restic.repo, bytes, async () => restic.repo.backup([src]))
      log(describePhase('restic  ', 'first backup', result.restic.firstBackup))
    }

    // The site that made the backup dies; a survivor restores from the other two's shards.
    await runStep(steps, STEP.kill, [], async () => backupSite.site.stop(true))
    result.cluster.statusAfterKill = await restoreSite.site.status()
    const ourTarget = join(root, 'restore-resilien')
    mkdirSync(ourTarget)
    const restore = await runStep(steps, STEP.restore, survivors, async () => restoreSite.site.restore(ourTarget), (v) => [v])
    const restored = figures(bytes, restore.value.seconds, totalCpu(restore.step), largestPeak([restore.step]))
    restored.notes = { cliCpuSeconds: restore.value.cpuSeconds, cliMaxRssBytes: restore.value.maxRssBytes }
    result.resilien.restore = restored
    log(describePhase('resilien', `restore on ${restoreSite.name}, ${backupSite.name} killed`, restored))
    result.cluster.statusAfterRestore = await restoreSite.site.status()
    const verified = await runStep(steps, STEP.verify, [], async () => verifyRestore(src, ourTarget, log, warnings))
    result.resilien.restoreDifferences = verified.value
    rmSync(ourTarget, { recursive: true, force: true })
    if (restic !== undefined && result.restic !== undefined) {
      const theirTarget = join(root, 'restore-restic')
      const theirs = await resticPhase(restic.repo, bytes, async () => ({ run: await restic.repo.restore(theirTarget) }))
      theirs.storedBytes = undefined
      result.restic.restore = theirs
      log(describePhase('restic  ', 'restore', theirs))
      rmSync(theirTarget, { recursive: true, force: true })
    }

    result.nodeLogTails = Object.fromEntries(sites.map((s) => [s.name, logTail(s.site, LOG_TAIL_LINES)]))
    for (const s of sites) for (const line of nodeComplaints(s.site)) warnings.push(`${s.name} node printed: ${line}`)
    result.targets = evaluateClusterTargets(result)
    log(`  stored per site (store/): ${result.storage.map((s) => `${s.name} ${(s.storeBytes / MB).toFixed(1)} MB`).join(', ')}`)
    return result
  } catch (err) {
    throw withNodeLogs(err, sites, LOG_TAIL_LINES)
  } finally {
    for (const s of sites) await s.site.stop()
    removeRoot()
  }
}
