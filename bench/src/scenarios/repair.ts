import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { onCleanup } from '../process/cleanup.js'
import { pollUntil } from '../process/poll.js'
import { waitForQuiet } from '../process/process-usage.js'
import type { QuietOptions } from '../process/process-usage.js'
import { logTail, nodeComplaints, startCluster, waitForSnapshot, withNodeLogs } from '../tools/resilien-cluster.js'
import type { NamedSite } from '../tools/resilien-cluster.js'
import { BENCH_PASSWORD_ENV } from '../tools/resilien-site.js'
import type { ClusterStatus, RedundancySummary } from '../tools/resilien-site.js'
import { currentRssOf, runStep, sinceStartStep } from './cluster-step.js'
import type { ClusterStep } from './cluster-types.js'
import { prepareDayZero } from './day-zero.js'
import { REPAIR_STEP } from './repair-types.js'
import type { RepairResult, RepairRun } from './repair-types.js'

export interface RepairOptions {
  /** Day 0's size in bytes (generator only). */
  size: number
  seed: number
  filesScale: number
  /** Use this tree instead of the generator. */
  corpus?: string
  log: (line: string) => void
}

/** Four sites: after one is lost, three remain, as many as a 2+1 stripe needs to be full again. */
const SITE_COUNT = 4
const CODING = { k: 2, m: 1 }
/**
 * Timers of the bench's sites: sync every second and a repair scan every second, so that repair
 * starts within a second of `site lost`; the test KDF, so that unlocking (every command unlocks)
 * does not weigh on the CPU and memory figures.
 */
const REPAIR_ENV = { RESILIEN_SYNC_INTERVAL: '1s', RESILIEN_REPAIR_INTERVAL: '1s', RESILIEN_REDIAL_MAX: '5s', RESILIEN_KDF: 'test' }
/**
 * The second run's repair bandwidth cap, on every site. The first runs with the default (no cap).
 * Low enough to bind: uncapped, each of the three survivors rebuilt at about 10 MB/s here, so a
 * 20 MiB cap measured nothing but noise.
 */
export const REPAIR_RATE_CAP = '4MiB'
export const NO_REPAIR_CAP = 'default (no cap)'
/** Redundancy is probed this often during the repair (on the control socket: no CLI process per probe). */
const REPAIR_POLL_MS = 200
/** A repair that takes longer than this is reported as failed. */
const REPAIR_TIMEOUT_MS = 30 * 60_000
/** Time allowed for the sites to see each other, and for the snapshot to reach the survivors. */
const ALL_UP_TIMEOUT_MS = 60_000
const CATALOG_TIMEOUT_MS = 120_000
const CATALOG_POLL_MS = 1000
/**
 * Idle again: under 8 % of a core per node over 2 s, a sample longer than the 1 s sync and repair
 * intervals. With these 1 s timers an idle node uses about 3 % of a core here, so the cluster
 * scenario's 5 % for all nodes together would never be reached.
 */
const IDLE_SHARE_PER_NODE = 0.08
const SETTLE_SAMPLE_MS = 2000
const SETTLE_TIMEOUT_MS = 120_000

function settleOptions (nodes: readonly NamedSite[]): QuietOptions {
  return { sampleMs: SETTLE_SAMPLE_MS, busyShare: IDLE_SHARE_PER_NODE * nodes.length, timeoutMs: SETTLE_TIMEOUT_MS }
}
/** Lines of each node's output kept in the report. */
const LOG_TAIL_LINES = 20

const MB = 1e6

/** Every stripe full again, and nothing left on the lost site (so a status from before the loss is not taken for the end). */
function repaired (s: ClusterStatus, lost: string): boolean {
  const r = s.redundancy
  return r.full === r.stripes && (s.sites.find((x) => x.name === lost)?.storedBytes ?? 0) === 0
}

function storedBySite (s: ClusterStatus): Record<string, number> {
  return Object.fromEntries(s.sites.map((x) => [x.name, x.storedBytes]))
}

function describeRedundancy (r: RedundancySummary | undefined): string {
  return r === undefined ? '-' : `${r.stripes} stripes: ${r.full} full, ${r.degraded} degraded, ${r.atRisk} at risk, ${r.lost} lost`
}

/**
 * One run on a fresh cluster: backup of `src` on site1, kill -9 of the last site, `site lost` on
 * site1, then status probes until every stripe is full; `rate` is RESILIEN_REPAIR_RATE (none: default).
 */
async function repairRun (dir: string, src: string, rate: string | undefined, log: (line: string) => void, warnings: string[]): Promise<RepairRun> {
  const env: Record<string, string> = { ...REPAIR_ENV, ...(rate === undefined ? {} : { RESILIEN_REPAIR_RATE: rate }) }
  let sites: NamedSite[] = []
  try {
    const steps: ClusterStep[] = []
    const t0 = performance.now()
    sites = await startCluster(dir, SITE_COUNT, { ...BENCH_PASSWORD_ENV, ...env }, { timeoutMs: ALL_UP_TIMEOUT_MS })
    steps.push(sinceStartStep(REPAIR_STEP.start, (performance.now() - t0) / 1000, sites))
    const idleRssBytes = currentRssOf(sites)
    const first = sites[0] as NamedSite
    const lost = sites[sites.length - 1] as NamedSite
    const survivors = sites.filter((s) => s !== lost)

    const created = await runStep(steps, REPAIR_STEP.repoCreate, sites, async () => first.site.createRepo(CODING), (v) => [v.run])
    const backup = await runStep(steps, REPAIR_STEP.backup, sites, async () => first.site.backup([src]), (v) => [v.run])
    const snapshot = backup.value.snapshot
    log(`  backup on ${first.name}: ${backup.step.seconds.toFixed(1)} s, ${(backup.value.stats.packedBytes / MB).toFixed(0)} MB packed`)
    const settle = await runStep(steps, REPAIR_STEP.settle, sites, async () => waitForQuiet(sites.map((s) => s.site.pid), settleOptions(sites)))
    if (!settle.value.quiet) warnings.push(`the nodes were still busy ${SETTLE_TIMEOUT_MS / 1000} s after the backup returned`)
    await runStep(steps, REPAIR_STEP.catalog, sites, async () =>
      waitForSnapshot(survivors.filter((s) => s !== first), snapshot, { timeoutMs: CATALOG_TIMEOUT_MS, intervalMs: CATALOG_POLL_MS }))
    const before = await first.site.status()
    const storedBeforeBytes = storedBySite(before)
    const rebuiltBytes = storedBeforeBytes[lost.name] ?? 0
    if (before.redundancy.full !== before.redundancy.stripes) warnings.push(`not every stripe was full before the kill: ${describeRedundancy(before.redundancy)}`)
    if (rebuiltBytes === 0) warnings.push(`${lost.name} held no shards before the kill: nothing to rebuild`)

    await runStep(steps, REPAIR_STEP.kill, [], async () => lost.site.stop(true))
    log(`  ${lost.name} killed (${(rebuiltBytes / MB).toFixed(1)} MB of shards); site lost ${lost.name} on ${first.name}, repair cap ${rate ?? NO_REPAIR_CAP}`)
    const rssAtRepairStartBytes = currentRssOf(survivors)
    let polls = 0
    let atStart: RedundancySummary | undefined
    const repair = await runStep(steps, REPAIR_STEP.repair, survivors, async () => {
      await first.site.siteLost(lost.name)
      return pollUntil(`every stripe full on ${first.name} after ${lost.name} was declared lost`, async () => {
        const s = await first.site.probeStatus()
        polls++
        atStart ??= s.redundancy
        return s
      }, (s) => repaired(s, lost.name), { timeoutMs: REPAIR_TIMEOUT_MS, intervalMs: REPAIR_POLL_MS })
    })
    const repairSeconds = repair.step.seconds
    log(`  repaired in ${repairSeconds.toFixed(1)} s: ${(rebuiltBytes / MB / repairSeconds).toFixed(1)} MB/s`)
    const settleRepair = await runStep(steps, REPAIR_STEP.settleRepair, survivors, async () => waitForQuiet(survivors.map((s) => s.site.pid), settleOptions(survivors)))
    if (!settleRepair.value.quiet) warnings.push(`the nodes were still busy ${SETTLE_TIMEOUT_MS / 1000} s after the repair`)
    const after = await first.site.status()

    for (const s of sites) for (const line of nodeComplaints(s.site)) warnings.push(`${s.name} node printed (cap ${rate ?? 'off'}): ${line}`)
    return {
      repairRate: rate ?? NO_REPAIR_CAP,
      env,
      sites: sites.map((s) => s.name),
      lostSite: lost.name,
      k: created.value.k,
      m: created.value.m,
      backupSeconds: backup.step.seconds,
      snapshot,
      rebuiltBytes,
      storedBeforeBytes,
      storedAfterBytes: storedBySite(after),
      ...(atStart === undefined ? {} : { redundancyAtStart: atStart }),
      redundancyAtEnd: after.redundancy,
      repairSeconds,
      mbPerSecond: rebuiltBytes / MB / repairSeconds,
      polls,
      idleRssBytes,
      rssAtRepairStartBytes,
      steps,
      nodeLogTails: Object.fromEntries(sites.map((s) => [s.name, logTail(s.site, LOG_TAIL_LINES)]))
    }
  } catch (err) {
    throw withNodeLogs(err, sites, LOG_TAIL_LINES)
  } finally {
    for (const s of sites) await s.site.stop()
    rmSync(dir, { recursive: true, force: true })
  }
}

/**
 * Repair throughput: four sites, a 2+1 repository, day 0 backed up on site1, then the last site
 * killed with SIGKILL and declared lost; the time until site1's status shows every stripe full
 * again. Twice, each on a fresh cluster: without a repair bandwidth cap, then with one.
 */
export async function runRepair (options: RepairOptions): Promise<RepairResult> {
  const { log } = options
  const root = mkdtempSync(join(tmpdir(), 'resilien-bench-repair-'))
  const removeRoot = onCleanup(() => rmSync(root, { recursive: true, force: true }))
  const warnings: string[] = []
  try {
    const { src, dataset } = prepareDayZero(root, options)
    const result: RepairResult = { dataset, kdf: REPAIR_ENV.RESILIEN_KDF, pollMs: REPAIR_POLL_MS, runs: [], warnings }
    for (const rate of [undefined, REPAIR_RATE_CAP]) {
      log(`${SITE_COUNT} sites, repository ${CODING.k}+${CODING.m}, repair cap ${rate ?? NO_REPAIR_CAP}`)
      result.runs.push(await repairRun(join(root, `sites-${rate ?? 'uncapped'}`), src, rate, log, warnings))
    }
    return result
  } finally {
    removeRoot()
  }
}
