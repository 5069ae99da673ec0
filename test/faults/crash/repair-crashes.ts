import assert from 'node:assert/strict'
import { join } from 'node:path'
import type { RepairResult } from '@resilien/control'
import { joinSite, newCluster, statusOf, tempDir, waitAllUp, waitFor } from '../../src/index.js'
import type { Site } from '../../src/index.js'
import { COMMAND_TIMEOUT_MS, REPO, checkSettles, logLines, missingOn, mustRun, restart, restoreEquals } from './cluster-checks.js'
import { setUpRandom } from './crash-points.js'
import { HealWatch } from './heal-watch.js'
import { killOnSchedule } from './scheduled-kill.js'
import { recordKill } from './report.js'
import type { Timeline } from './phases.js'
import type { CrashScenario, ScenarioInit } from './scenario.js'
import { ShardPutProbe } from './shard-put-probe.js'
import { buildTree, mutateTree } from './source-tree.js'

const SITES = 4
/** The survivors: site1..site3 stay for the whole run; the fourth site is lost and replaced at every point. */
const SURVIVORS = 3
const REPAIR_ENV = {
  RESILIEN_REPAIR_INTERVAL: '1s',
  // Longer than a restart: the killed survivor comes back as itself instead of counting as a second loss.
  RESILIEN_REPAIR_GRACE: '30s',
  // Repair lasts seconds instead of a fraction of one, so kill points land inside it.
  RESILIEN_REPAIR_RATE: '1MiB',
  // Extra copies left by moves go between points; 10 s is longer than any put-to-fact gap.
  RESILIEN_GC_INTERVAL: '1s',
  RESILIEN_GC_GRACE: '10s'
}
/** A repair of a few tens of MiB at 1 MiB/s per site, with a killed site coming back meanwhile. */
const HEAL_TIMEOUT_MS = 5 * 60_000
/** The joined site should hold shards as soon as the backup after its join is done; rebalancing is the slow way. */
const SHARE_TIMEOUT_MS = 2 * 60_000

const snapshotId = (stdout: string): string => (JSON.parse(stdout) as { id: string }).id

/**
 * kill -9 of a repairing site during the repair of a lost site. The cluster has four sites, the
 * repository k=2 m=1; the reference run loses site4 (`site lost`) and times the repair until every
 * stripe is full again. Each point joins a fresh fourth site, backs up changed data (so it gets
 * shards), kills it for good, declares it lost, and SIGKILLs a seeded survivor at the point
 * (repair runs on every survivor: each rebuilds the stripes whose first live shard it holds).
 * After the restart: the cluster heals, every snapshot is still listed, check --read-data is
 * clean, a repair pass finds nothing to do, and every few points the latest snapshot restores equal to the source on a seeded survivor.
 */
export function repairCrashes (init: ScenarioInit): CrashScenario {
  const probe = new ShardPutProbe()
  init.scope.after(() => { probe.close() })
  let sites: Site[] = []
  let src = ''
  let work = ''
  let latest = ''
  const acknowledged = new Set<string>()
  let reference: Timeline | undefined
  let nextSite = SITES + 1
  const first = (): Site => sites[0] as Site

  /** `site lost NAME` on site1; returns when it was acknowledged (the repair's start). */
  const declareLost = async (site: Site): Promise<number> => {
    await site.stop('SIGKILL')
    await mustRun(first(), ['site', 'lost', site.name])
    return performance.now()
  }

  return {
    async setUp () {
      const all = await newCluster(init.scope, SITES, REPAIR_ENV)
      sites = all.slice(0, SURVIVORS)
      for (const site of sites) probe.watch(site)
      work = await tempDir(init.scope, 'resilien-crash-repair-')
      src = join(work, 'src')
      await buildTree(src, setUpRandom(init.seed, 'repair'), init.tree)
      await mustRun(first(), ['repo', 'create', REPO, '--k', '2', '--m', '1'])
      latest = snapshotId((await mustRun(first(), ['backup', REPO, src, '--json'])).stdout)
      acknowledged.add(latest)
      const doomed = all[SITES - 1] as Site
      const startedAt = await declareLost(doomed)
      const healedAt = await new HealWatch(first(), doomed.name).until(HEAL_TIMEOUT_MS)
      reference = probe.timeline(startedAt, healedAt - startedAt)
      return reference
    },

    async point (point, report, restore) {
      const a = first()
      const newcomer = await joinSite(init.scope, a, `site${nextSite++}`, REPAIR_ENV)
      await waitAllUp(a, SITES, COMMAND_TIMEOUT_MS)
      init.log(`repair point ${point.index}: ${newcomer.name} joined; ${await mutateTree(src, point.random, init.tree)}`)
      latest = snapshotId((await mustRun(a, ['backup', REPO, src, '--json'])).stdout)
      acknowledged.add(latest)
      await waitFor(`${newcomer.name} to hold shards`, async () => await statusOf(a),
        (s) => (s.sites.find((x) => x.name === newcomer.name)?.storedBytes ?? 0) > 0, SHARE_TIMEOUT_MS)

      const victim = point.random.pick(sites)
      const observer = sites.find((s) => s !== victim) as Site
      report.victim = victim.name
      const startedAt = await declareLost(newcomer)
      const watch = new HealWatch(observer, newcomer.name)
      const logFrom = victim.log.length
      const kill = await killOnSchedule(victim, probe, startedAt, report.schedule, report.capMs, watch.done)
      await watch.stop()
      const killedAt = startedAt + kill.killMs
      recordKill(report, 'repair', reference as Timeline, victim, logFrom, kill, false)

      const restartLog = victim.log.length
      report.restartMs = await restart(victim)
      await new HealWatch(a, newcomer.name).until(HEAL_TIMEOUT_MS)
      report.log = [...(report.log ?? []), ...logLines(victim, restartLog, 3)]
      assert.deepEqual(await missingOn(a, acknowledged), [], 'every acknowledged snapshot is listed after the repair')
      report.checkSettleMs = await checkSettles(a)
      const pass = JSON.parse((await mustRun(a, ['repair', '--json'])).stdout) as RepairResult
      assert.equal(pass.needing, 0, 'a repair pass after healing finds no stripe to repair')
      report.recoverMs = performance.now() - killedAt
      if (restore) {
        const reader = point.random.pick(sites)
        await restoreEquals(reader, latest, src, src, work)
        report.restored = true
      }
    },

    nodeLog: (name) => sites.find((s) => s.name === name)?.log ?? '',

    async finish () {
      for (const site of sites) {
        await waitAllUp(site, SURVIVORS, COMMAND_TIMEOUT_MS)
        const status = await statusOf(site)
        assert.equal(status.redundancy.full, status.redundancy.stripes, `every stripe is full as ${site.name} sees it`)
      }
      await restoreEquals(sites[SURVIVORS - 1] as Site, latest, src, src, work)
    }
  }
}
