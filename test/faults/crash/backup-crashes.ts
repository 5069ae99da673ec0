import assert from 'node:assert/strict'
import { join } from 'node:path'
import { newCluster, tempDir, waitAllUp, waitFor } from '../../src/index.js'
import type { Site } from '../../src/index.js'
import { COMMAND_TIMEOUT_MS, REPO, checkSettles, logLines, missingOn, mustRun, restart, restoreEquals, snapshotsOn } from './cluster-checks.js'
import { setUpRandom } from './crash-points.js'
import { runAndKill } from './killed-command.js'
import { REFERENCE_RUNS, shorter } from './phases.js'
import { recordKill } from './report.js'
import type { Timeline } from './phases.js'
import type { CrashScenario, ScenarioInit } from './scenario.js'
import { ShardPutProbe } from './shard-put-probe.js'
import { buildTree, mutateTree } from './source-tree.js'

/** Sites of the backup cluster: k=2 m=1, every stripe on all three. */
const SITES = 3
/**
 * How long another site may take to list a snapshot the killed site acknowledged: it should have
 * it already (a snapshot is acknowledged once its fact is on two sites); this covers the other
 * survivor pulling it from the one that has it (sync every second in tests).
 */
const REPLICATED_WITHIN_MS = 20_000

const snapshotId = (stdout: string): string => (JSON.parse(stdout) as { id: string }).id

/**
 * kill -9 of site1 during `backup` on site1. Before each point a seeded share of the source
 * changes, so the run has new data to read, seal, put and commit. After the kill: every
 * snapshot acknowledged so far (listed before, or a backup that exited 0) is listed by another
 * site while site1 is down and by site1 once it is back; check --read-data is clean; the backup
 * runs again to completion and (every few points) restores equal to the source.
 */
export function backupCrashes (init: ScenarioInit): CrashScenario {
  const probe = new ShardPutProbe()
  init.scope.after(() => { probe.close() })
  const acknowledged = new Set<string>()
  let sites: Site[] = []
  let src = ''
  let work = ''
  let reference: Timeline | undefined
  const first = (): Site => sites[0] as Site

  return {
    async setUp () {
      sites = await newCluster(init.scope, SITES)
      for (const site of sites) probe.watch(site)
      work = await tempDir(init.scope, 'resilien-crash-backup-')
      src = join(work, 'src')
      const random = setUpRandom(init.seed, 'backup')
      await buildTree(src, random, init.tree)
      await mustRun(first(), ['repo', 'create', REPO])
      acknowledged.add(snapshotId((await mustRun(first(), ['backup', REPO, src, '--json'])).stdout))
      // The reference is a backup of a changed tree, like every point's, not the first full one.
      for (let i = 0; i < REFERENCE_RUNS; i++) {
        init.log(`backup: reference run after: ${await mutateTree(src, random, init.tree)}`)
        const startedAt = performance.now()
        acknowledged.add(snapshotId((await mustRun(first(), ['backup', REPO, src, '--json'])).stdout))
        reference = shorter(reference, probe.timeline(startedAt, performance.now() - startedAt))
      }
      return reference as Timeline
    },

    async point (point, report, restore) {
      const a = first()
      const other = sites[1] as Site
      init.log(`backup point ${point.index}: ${await mutateTree(src, point.random, init.tree)}`)
      const before = await snapshotsOn(a)
      const lostEarlier = [...acknowledged].filter((id) => !before.some((s) => s.id === id))
      assert.deepEqual(lostEarlier, [], 'acknowledged snapshots are listed before the point')
      for (const s of before) acknowledged.add(s.id)

      const logFrom = a.log.length
      const run = await runAndKill(a, ['backup', REPO, src, '--json'], report.schedule, report.capMs, probe)
      recordKill(report, 'backup', reference as Timeline, a, logFrom, run, run.result.code === 0)
      report.exit = run.result.code
      if (run.result.code === 0) acknowledged.add(snapshotId(run.result.stdout))
      const killedAt = run.startedAt + run.killMs

      // The promise: what was acknowledged survives the loss of the site that made it.
      await waitFor(`${other.name} to list every acknowledged snapshot while ${a.name} is down`,
        async () => await missingOn(other, acknowledged), (missing) => missing.length === 0, REPLICATED_WITHIN_MS)
      const restartLog = a.log.length
      report.restartMs = await restart(a)
      report.log = [...(report.log ?? []), ...logLines(a, restartLog, 3)]
      assert.deepEqual(await missingOn(a, acknowledged), [], `${a.name} lists every acknowledged snapshot after the restart`)
      await waitAllUp(a, SITES, COMMAND_TIMEOUT_MS)
      report.checkSettleMs = await checkSettles(a)
      const again = await mustRun(a, ['backup', REPO, src, '--json'])
      const latest = snapshotId(again.stdout)
      acknowledged.add(latest)
      report.recoverMs = performance.now() - killedAt
      if (restore) {
        await restoreEquals(a, latest, src, src, work)
        report.restored = true
      }
    },

    nodeLog: (name) => sites.find((s) => s.name === name)?.log ?? '',

    async finish () {
      // From another site: everything acknowledged is there, and the latest restores.
      const c = sites[2] as Site
      assert.deepEqual(await missingOn(c, acknowledged), [], `${c.name} lists every acknowledged snapshot`)
      const newest = (await snapshotsOn(c)).sort((x, y) => x.time.localeCompare(y.time)).pop()
      assert.ok(newest !== undefined)
      await restoreEquals(c, newest.id, src, src, work)
    }
  }
}
