import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { mkdir, readdir, rm } from 'node:fs/promises'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { newCluster, tempDir, waitAllUp } from '../../src/index.js'
import type { Site } from '../../src/index.js'
import { COMMAND_TIMEOUT_MS, REPO, checkSettles, logLines, missingOn, mustRun, restart, restoreEquals, snapshotsOn } from './cluster-checks.js'
import type { SnapshotJson } from './cluster-checks.js'
import { setUpRandom } from './crash-points.js'
import { runAndKill } from './killed-command.js'
import { REFERENCE_RUNS, shorter } from './phases.js'
import { recordKill } from './report.js'
import type { Timeline } from './phases.js'
import type { CrashScenario, ScenarioInit } from './scenario.js'
import { ShardPutProbe } from './shard-put-probe.js'
import { buildTree, mutateTree } from './source-tree.js'

const SITES = 3
/** The retention of every forget: each point adds one snapshot, so each forget removes (at least) one. */
const KEEP_LAST = 2
/**
 * Shard GC of the prune cluster: every second, for shards older than 10 s that no stripe places
 * there. The shards of deleted packs really go between points (so a pack deleted while still
 * referenced shows up in the next check), and 10 s is longer than any put-to-record gap of a
 * repack on a loaded machine.
 */
const PRUNE_ENV = { RESILIEN_GC_INTERVAL: '1s', RESILIEN_GC_GRACE: '10s' }

const execFileAsync = promisify(execFile)
const newestFirst = (x: SnapshotJson, y: SnapshotJson): number => y.time.localeCompare(x.time)

/**
 * kill -9 of site1 during `forget --keep-last 2 --prune` on site1. Before each point the source
 * changes and is backed up, so the forget has a snapshot to remove and the prune data to delete
 * or repack. After the kill: the kept snapshots are still listed (and, if the forget exited 0,
 * the removed ones are gone); check --read-data is clean; `prune` runs again to completion; every
 * few points the kept snapshots restore equal to copies of the source taken when they were made.
 */
export function pruneCrashes (init: ScenarioInit): CrashScenario {
  const probe = new ShardPutProbe()
  init.scope.after(() => { probe.close() })
  let sites: Site[] = []
  let src = ''
  let work = ''
  let reference: Timeline | undefined
  const first = (): Site => sites[0] as Site
  const version = (id: string): string => join(work, 'versions', id)

  /** Backs up the source and keeps a copy of it as the snapshot's expected contents (`cp -a` keeps folder times too). */
  const backup = async (): Promise<string> => {
    const id = (JSON.parse((await mustRun(first(), ['backup', REPO, src, '--json'])).stdout) as { id: string }).id
    await execFileAsync('cp', ['-a', src, version(id)])
    return id
  }
  /** Drops the copies of snapshots no longer listed. */
  const dropForgotten = async (listed: readonly SnapshotJson[]): Promise<void> => {
    for (const id of await readdir(join(work, 'versions'))) {
      if (!listed.some((s) => s.id === id)) await rm(version(id), { recursive: true, force: true })
    }
  }

  return {
    async setUp () {
      sites = await newCluster(init.scope, SITES, PRUNE_ENV)
      for (const site of sites) probe.watch(site)
      work = await tempDir(init.scope, 'resilien-crash-prune-')
      src = join(work, 'src')
      await mkdir(join(work, 'versions'))
      const random = setUpRandom(init.seed, 'prune')
      await buildTree(src, random, init.tree)
      await mustRun(first(), ['repo', 'create', REPO])
      for (let i = 0; i < KEEP_LAST; i++) {
        if (i > 0) await mutateTree(src, random, init.tree)
        await backup()
      }
      // The reference is what every point does: one more snapshot, then the forget removes one.
      for (let i = 0; i < REFERENCE_RUNS; i++) {
        await mutateTree(src, random, init.tree)
        await backup()
        const startedAt = performance.now()
        await mustRun(first(), ['forget', REPO, '--keep-last', String(KEEP_LAST), '--prune'])
        reference = shorter(reference, probe.timeline(startedAt, performance.now() - startedAt))
        await dropForgotten(await snapshotsOn(first()))
      }
      return reference as Timeline
    },

    async point (point, report, restore) {
      const a = first()
      init.log(`prune point ${point.index}: ${await mutateTree(src, point.random, init.tree)}`)
      await backup()
      const before = (await snapshotsOn(a)).sort(newestFirst)
      const kept = before.slice(0, KEEP_LAST).map((s) => s.id)

      const logFrom = a.log.length
      const run = await runAndKill(a, ['forget', REPO, '--keep-last', String(KEEP_LAST), '--prune', '--json'], report.schedule, report.capMs, probe)
      recordKill(report, 'prune', reference as Timeline, a, logFrom, run, run.result.code === 0)
      report.exit = run.result.code
      const killedAt = run.startedAt + run.killMs
      const removed = run.result.code === 0 ? (JSON.parse(run.result.stdout) as { remove: Array<{ id: string }> }).remove.map((s) => s.id) : []

      const restartLog = a.log.length
      report.restartMs = await restart(a)
      report.log = [...(report.log ?? []), ...logLines(a, restartLog, 3)]
      assert.deepEqual(await missingOn(a, kept), [], 'the snapshots the policy keeps are listed after the restart')
      const after = await snapshotsOn(a)
      assert.deepEqual(after.filter((s) => removed.includes(s.id)).map((s) => s.id), [], 'an acknowledged forget stays done')
      assert.deepEqual(after.filter((s) => !before.some((b) => b.id === s.id)).map((s) => s.id), [], 'no snapshot appears')
      await waitAllUp(a, SITES, COMMAND_TIMEOUT_MS)
      report.checkSettleMs = await checkSettles(a)
      await mustRun(a, ['prune', REPO])
      report.recoverMs = performance.now() - killedAt
      await dropForgotten(after)
      if (restore) {
        for (const id of kept) await restoreEquals(a, id, src, version(id), work)
        report.restored = true
      }
    },

    nodeLog: (name) => sites.find((s) => s.name === name)?.log ?? '',

    async finish () {
      // From another site, after the last re-run prune and its shard GC: every kept snapshot restores.
      const b = sites[1] as Site
      const listed = await snapshotsOn(b)
      await dropForgotten(listed)
      for (const s of listed) await restoreEquals(b, s.id, src, version(s.id), work)
      await checkSettles(b)
    }
  }
}
