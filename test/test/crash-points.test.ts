import '@resilien/polyfill'
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { runCrashSuite } from '../faults/crash/index.js'
import type { Operation } from '../faults/crash/index.js'

/**
 * The short version of the crash suite (test/faults/crash): two seeded kill points per operation
 * on the small tree. A fixed seed keeps the default suite repeatable; the long runs (20 points and
 * more, any seed) go through `node test/dist/faults/crash/run.js`.
 */
const SEED = 1
const POINTS = 2

const PROMISES: Record<Operation, string> = {
  backup: 'acknowledged snapshots survive, check is clean, the backup re-runs and restores equal to the source',
  prune: 'kept snapshots stay listed and restorable, check is clean, prune re-runs to completion',
  repair: 'the cluster heals, check is clean, a repair pass finds nothing left and the data restores'
}

for (const operation of ['backup', 'prune', 'repair'] as const) {
  test(`kill -9 at ${POINTS} seeded points of ${operation}: ${PROMISES[operation]}`, async (t) => {
    const report = await runCrashSuite({ operation, seed: SEED, points: POINTS, tree: 'short', context: t, log: (line) => { t.diagnostic(line) } })
    for (const line of report.summary.split('\n')) t.diagnostic(line)
    assert.deepEqual(report.failures.map((f) => f.message), [])
    assert.equal(report.operations[0]?.points.length, POINTS, 'every point ran')
  })
}
