import { mkdirSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { advanceDay, syncTree, treeStats, warmTree } from '../dataset/index.js'
import { onCleanup } from '../process/cleanup.js'
import { waitForQuiet } from '../process/process-usage.js'
import type { QuietOptions } from '../process/process-usage.js'
import { RssSampler } from '../process/rss-sampler.js'
import { syncFileSystem } from '../process/settle-disk.js'
import { haveSocketCounters } from '../process/socket-counters.js'
import { GNU_TIME_MISSING, haveGnuTime } from '../process/timed-run.js'
import type { TimedRun } from '../process/timed-run.js'
import type { PeerChoice, PeerSummary, PeerTool } from '../tools/peer-tool.js'
import { setUpPeers } from '../tools/peers.js'
import { logTail, nodeComplaints, startCluster, waitForSnapshot, withNodeLogs } from '../tools/resilien-cluster.js'
import type { NamedSite } from '../tools/resilien-cluster.js'
import { BENCH_PASSWORD_ENV } from '../tools/resilien-site.js'
import { verifyRestore } from '../tools/verify-tree.js'
import { phaseFigures, storageOf, storeBytesOf } from './cluster-figures.js'
import { evaluateClusterTargets } from './cluster-targets.js'
import { CLI, StepMeter, currentRssOf, sinceStartStep, totalCpu } from './cluster-step.js'
import { PHASE_LABEL, STEP } from './cluster-types.js'
import type { ClusterResult, ClusterStep, PeerPhase, PeerResult } from './cluster-types.js'
import { prepareDayZero } from './day-zero.js'
import { addBackupStats, describePhase, peerPhase } from './phase-figures.js'

export interface ClusterOptions {
  /** Day 0's size in bytes (generator only). */
  size: number
  seed: number
  filesScale: number
  /** Use this tree as day 0 instead of the generator; `corpusNext` as day 1 (else no next day). */
  corpus?: string
  corpusNext?: string
  /** The peers to run on the same data (each skipped with a line when not installed). */
  peers: PeerChoice
  log: (line: string) => void
  /** Hears each step's name as it begins (the progress line). */
  onStep?: (name: string) => void
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

/**
 * Three sites on this machine, each a node process, made and driven through the CLI: on site1 the
 * first backup of day 0, the next day's, and an unchanged re-backup; a restore on site3 with all
 * sites up; then site1 killed with SIGKILL and a restore on site2 from the shards of site2 and
 * site3. Each peer (restic, borg) backs up and restores the same tree on the same disk, right
 * after resilien's phase. The RSS of every process is sampled all along.
 */
export async function runCluster (options: ClusterOptions): Promise<ClusterResult> {
  const { log } = options
  const root = mkdtempSync(join(tmpdir(), 'resilien-bench-cluster-'))
  const removeRoot = onCleanup(() => rmSync(root, { recursive: true, force: true }))
  const warnings: string[] = []
  if (!haveGnuTime()) warnings.push(GNU_TIME_MISSING)
  if (process.env.RESILIEN_KDF !== undefined) warnings.push(`RESILIEN_KDF=${process.env.RESILIEN_KDF} is set: the repository does not use the default KDF`)
  let sampler: RssSampler | undefined
  let sites: NamedSite[] = []
  try {
    options.onStep?.('data set, day 0')
    const { src, plan, dataset } = prepareDayZero(root, options)
    options.onStep?.('peer repositories')
    const { peers, skipped } = await setUpPeers(root, options.peers)
    for (const line of skipped) log(`  ${line}`)

    // The memory timeline starts with the sites (the data set is ready by then).
    const timeline = new RssSampler(options.onStep)
    sampler = timeline
    for (const peer of peers) peer.onCommandStart = (pid) => timeline.track(peer.name, pid)
    const meter = new StepMeter([], { sampler: timeline, countTcp: true })
    const steps = meter.steps
    log(`starting ${SITE_COUNT} sites (sync ${CLUSTER_ENV.RESILIEN_SYNC_INTERVAL}, redial max ${CLUSTER_ENV.RESILIEN_REDIAL_MAX})`)
    timeline.beginStep(STEP.start)
    const t0 = performance.now()
    sites = await startCluster(join(root, 'sites'), SITE_COUNT, { ...BENCH_PASSWORD_ENV, ...CLUSTER_ENV }, { timeoutMs: ALL_UP_TIMEOUT_MS })
    timeline.endStep()
    for (const s of sites) {
      timeline.track(s.name, s.site.pid)
      s.site.onCommandStart = (pid) => timeline.track(CLI, pid)
    }
    const [backupSite, restoreSite, allUpSite] = sites as [NamedSite, NamedSite, NamedSite]
    const survivors = sites.filter((s) => s !== backupSite)
    steps.push(sinceStartStep(STEP.start, (performance.now() - t0) / 1000, sites))
    const idleRssBytes = currentRssOf(sites)
    log(`  all up in ${(steps[0] as ClusterStep).seconds.toFixed(1)} s`)

    const created = await meter.run(STEP.repoCreate, sites, async () => backupSite.site.createRepo(), (v) => [v.run])
    const peerResults: PeerResult[] = peers.map((p) => ({ tool: p.name, version: p.version, compression: p.compression, encryption: p.encryption, phases: {} }))
    const result: ClusterResult = {
      dataset,
      cluster: {
        sites: sites.map((s) => s.name),
        k: created.value.k,
        m: created.value.m,
        backupSite: backupSite.name,
        restoreSite: restoreSite.name,
        restoreAllUpSite: allUpSite.name,
        env: { ...CLUSTER_ENV, RESILIEN_KDF: process.env.RESILIEN_KDF ?? 'default' },
        repoCreateSeconds: created.value.run.seconds,
        idleRssBytes
      },
      resilien: { snapshots: [], restoreDifferences: {} },
      peers: peerResults,
      skippedPeers: skipped,
      steps,
      storage: [],
      targets: [],
      nodeLogTails: {},
      warnings
    }
    if (!haveSocketCounters()) warnings.push('ss (iproute2) did not run: bytes sent between sites are not measured')

    /** One peer command on the same tree, right after resilien's. */
    const peerStep = async (peer: PeerTool, phase: PeerPhase, label: string, bytes: number,
      work: () => Promise<{ run: TimedRun, summary?: PeerSummary }>): Promise<void> => {
      const { value } = await meter.run(STEP.peer(peer.name, label), [], async () => peerPhase(peer, bytes, work))
      const slot = peerResults.find((r) => r.tool === peer.name)
      if (slot !== undefined) slot.phases[phase] = value
      log(describePhase(peer.name.padEnd(8), label, value))
    }

    /** A backup on site1: the command, then until the nodes are idle, then until the survivors list it. */
    const backupPhase = async (phase: 'firstBackup' | 'nextDayBackup' | 'unchangedBackup'): Promise<void> => {
      const label = PHASE_LABEL[phase]
      const bytes = treeStats(src).bytes
      const store0 = storeBytesOf(sites)
      warmTree(src)
      const backup = await meter.run(STEP.backup(label), sites, async () => backupSite.site.backup([src]), (v) => [v.run])
      const settle = await meter.run(STEP.settle(label), sites, async () => waitForQuiet(sites.map((s) => s.site.pid), SETTLE))
      if (!settle.value.quiet) warnings.push(`${label}: the nodes were still busy ${SETTLE.timeoutMs / 1000} s after the backup returned`)
      const snapshot = backup.value.snapshot
      await meter.run(STEP.catalog(label), sites, async () =>
        waitForSnapshot(survivors, snapshot, { timeoutMs: CATALOG_TIMEOUT_MS, intervalMs: CATALOG_POLL_MS }))
      const run = backup.value.run
      const f = phaseFigures(bytes, run.seconds, [backup.step, settle.step])
      addBackupStats(f, backup.value.stats)
      f.storedBytes = storeBytesOf(sites) - store0
      f.notes = {
        ...f.notes,
        settleSeconds: settle.step.seconds,
        cpuDuringCommandSeconds: totalCpu(backup.step),
        cpuWhileSettlingSeconds: totalCpu(settle.step)
      }
      result.resilien[phase] = f
      result.resilien.snapshots.push(snapshot)
      log(describePhase('resilien', label, f) + `, then ${settle.step.seconds.toFixed(1)} s to settle`)
      for (const peer of peers) {
        warmTree(src)
        await peerStep(peer, phase, label, bytes, async () => peer.backup([src]))
      }
    }

    // Each restored tree is written back before the next step (no tool fsyncs one) and all are
    // removed after the last restore, so that no restore follows another's deletion (see
    // storageNote in machine.ts: ext4 without a journal).
    const restoredTrees: string[] = []
    /** A restore of the latest snapshot on `on`, with `nodes` running; checked file by file. */
    const restorePhase = async (phase: 'restoreAllUp' | 'restoreOneKilled', on: NamedSite, nodes: readonly NamedSite[]): Promise<void> => {
      const label = `${PHASE_LABEL[phase]} (on ${on.name})`
      const bytes = treeStats(src).bytes
      const target = join(root, `restore-${phase}`)
      mkdirSync(target)
      const restore = await meter.run(label, nodes, async () => on.site.restore(target), (v) => [v])
      const f = phaseFigures(bytes, restore.value.seconds, [restore.step])
      result.resilien[phase] = f
      log(describePhase('resilien', label, f))
      const verified = await meter.run(STEP.verify(label), [], async () => verifyRestore(src, target, log, warnings))
      result.resilien.restoreDifferences[phase] = verified.value
      restoredTrees.push(target)
      syncFileSystem(root)
    }

    await backupPhase('firstBackup')
    options.onStep?.('data set, next day')
    const t1 = performance.now()
    let written: number | undefined
    let summary
    if (plan !== undefined) {
      const next = advanceDay(src, plan)
      written = next.written
      summary = next.summary
    } else if (options.corpusNext !== undefined) {
      written = syncTree(options.corpusNext, src)
    }
    if (written !== undefined) {
      result.dataset.day1 = { ...treeStats(src), writtenBytes: written, mutateSeconds: (performance.now() - t1) / 1000, ...(summary === undefined ? {} : { summary }) }
      log(`next day: ${(written / MB).toFixed(0)} MB written in ${result.dataset.day1.mutateSeconds.toFixed(1)} s`)
      await backupPhase('nextDayBackup')
    } else {
      warnings.push('no next day (--corpus without --corpus-next): next-day figures skipped')
    }
    await backupPhase('unchangedBackup')
    const [onRestoreSite, onBackupSite] = [await restoreSite.site.status(), await backupSite.site.status()]
    result.storage = storageOf(sites, onRestoreSite, onBackupSite)
    for (const s of result.storage) {
      if (s.statusBytes !== s.statusBytesOnBackupSite) {
        warnings.push(`status disagrees on ${s.name}'s stored bytes: ${s.statusBytes ?? 'absent'} on ${restoreSite.name}, ${s.statusBytesOnBackupSite ?? 'absent'} on ${backupSite.name} (store/ holds ${s.storeBytes})`)
      }
    }

    await restorePhase('restoreAllUp', allUpSite, sites)
    for (const peer of peers) {
      const target = join(root, `restore-${peer.name}`)
      await peerStep(peer, 'restore', 'restore', treeStats(src).bytes, async () => ({ run: await peer.restore(target) }))
      const f = peerResults.find((r) => r.tool === peer.name)?.phases.restore
      if (f !== undefined) f.storedBytes = undefined
      restoredTrees.push(target)
      syncFileSystem(root)
    }

    // The site that made the backups dies; a survivor restores from the other two's shards.
    await meter.run(STEP.kill, [], async () => backupSite.site.stop(true))
    result.cluster.statusAfterKill = await restoreSite.site.status()
    await restorePhase('restoreOneKilled', restoreSite, survivors)
    result.cluster.statusAfterRestore = await restoreSite.site.status()
    for (const target of restoredTrees) rmSync(target, { recursive: true, force: true })

    result.nodeLogTails = Object.fromEntries(sites.map((s) => [s.name, logTail(s.site, LOG_TAIL_LINES)]))
    for (const s of sites) for (const line of nodeComplaints(s.site)) warnings.push(`${s.name} node printed: ${line}`)
    result.targets = evaluateClusterTargets(result)
    log(`  stored per site (store/): ${result.storage.map((s) => `${s.name} ${(s.storeBytes / MB).toFixed(1)} MB`).join(', ')}`)
    result.memory = timeline.stop()
    return result
  } catch (err) {
    throw withNodeLogs(err, sites, LOG_TAIL_LINES)
  } finally {
    sampler?.stop()
    for (const s of sites) await s.site.stop()
    removeRoot()
  }
}
