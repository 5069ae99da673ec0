import { test } from 'node:test'
import assert from 'node:assert/strict'
import { setImmediate as tick } from 'node:timers/promises'
import { WindowPipeline } from '../src/restore-windows.js'
import type { PlannedFile, RestoreWindow } from '../src/restore-plan.js'
import type { TreeNode } from '../src/tree.js'

function plannedFile (id: number): PlannedFile {
  return { id, node: { name: `f${id}`, type: 'file' } as unknown as TreeNode, dest: Buffer.from(`/t/f${id}`), nextPosition: 0 }
}

/** A read per window that finishes when the test says so; records the windows' sizes. */
function controlledReads (): { read: (w: RestoreWindow) => Promise<void>, sizes: number[], running: () => number, finish: (error?: Error) => void } {
  const sizes: number[] = []
  const pending: Array<{ resolve: () => void, reject: (e: Error) => void }> = []
  let running = 0
  return {
    sizes,
    running: () => running,
    read: async (window) => {
      sizes.push(window.size)
      running++
      try {
        await new Promise<void>((resolve, reject) => pending.push({ resolve, reject }))
      } finally {
        running--
      }
    },
    finish: (error) => {
      const next = pending.shift()
      assert.ok(next !== undefined, 'a read is under way')
      if (error === undefined) next.resolve()
      else next.reject(error)
    }
  }
}

test('a full window is read while the walk fills the next; the walk waits only when that one is full too', async () => {
  const reads = controlledReads()
  const windows = new WindowPipeline(reads.read, 4)
  // A file of 6 chunks: the first window fills (4) and is read; 2 go into the next.
  assert.equal(await windows.add(plannedFile(0), 0, 6), 4)
  assert.deepEqual(reads.sizes, [4], 'the full window is read at once')
  assert.equal(await windows.add(plannedFile(0), 4, 6), 6, 'the walk goes on while it is read')
  assert.equal(await windows.add(plannedFile(1), 0, 2), 2, 'the next window is full now')
  let waited = true
  const blocked = windows.add(plannedFile(2), 0, 3).then((to) => { waited = false; return to })
  await tick()
  assert.equal(waited, true, 'a third window waits for the first read')
  assert.equal(reads.running(), 1, 'one read at a time')
  reads.finish()
  assert.equal(await blocked, 3)
  assert.deepEqual(reads.sizes, [4, 4], 'the second window is read as soon as the first is done')
  const finished = windows.finish()
  reads.finish()
  await tick()
  reads.finish()
  await finished
  assert.deepEqual(reads.sizes, [4, 4, 3], 'the rest is read at the end')
})

test('a read that fails while the walk goes on surfaces at the next add that needs room, or at finish', async () => {
  const reads = controlledReads()
  const windows = new WindowPipeline(reads.read, 2)
  const unhandled: unknown[] = []
  const onUnhandled = (reason: unknown): void => { unhandled.push(reason) }
  process.on('unhandledRejection', onUnhandled)
  try {
    await windows.add(plannedFile(0), 0, 2)
    reads.finish(new Error('site gone'))
    await tick()
    await tick()
    await assert.rejects(windows.add(plannedFile(1), 0, 1), /site gone/)
    await assert.rejects(windows.finish(), /site gone/)
    assert.deepEqual(unhandled, [])
  } finally {
    process.off('unhandledRejection', onUnhandled)
  }
})

test('stop waits for the read under way, then starts no other and takes no more chunks', async () => {
  const reads = controlledReads()
  const windows = new WindowPipeline(reads.read, 2)
  await windows.add(plannedFile(0), 0, 2)
  await windows.add(plannedFile(1), 0, 2)
  let stopped = false
  const stopping = windows.stop().then(() => { stopped = true })
  await tick()
  assert.equal(stopped, false, 'the read under way is awaited')
  reads.finish()
  await stopping
  assert.deepEqual(reads.sizes, [2], 'the full window waiting was not read after the stop')
  await assert.rejects(windows.add(plannedFile(2), 0, 1), /stopped/)
})
