import { test } from 'node:test'
import assert from 'node:assert/strict'
import { RepoLocks } from '../src/repo-locks.js'

/** A task that holds its lock until `finish` is called. */
function held (): { done: Promise<void>, finish: () => void } {
  let finish!: () => void
  const done = new Promise<void>((resolve) => { finish = resolve })
  return { done, finish }
}

test('two readers that finish in one turn let the waiting writer in, and a later reader waits for it', async () => {
  const locks = new RepoLocks()
  const log: string[] = []
  const both = held()
  const r1 = locks.shared('repo', async () => { await both.done; log.push('r1 done') })
  const r2 = locks.shared('repo', async () => { await both.done; log.push('r2 done') })
  const prune = held()
  const w = locks.exclusive('repo', async () => { log.push('prune in'); await prune.done; log.push('prune out') })
  // One resolution ends both readers in the same drain of the microtask queue.
  both.finish()
  await Promise.all([r1, r2])
  await new Promise((resolve) => setImmediate(resolve))
  assert.deepEqual(log, ['r1 done', 'r2 done', 'prune in'])
  const r3 = locks.shared('repo', async () => { log.push('r3 in') })
  await new Promise((resolve) => setImmediate(resolve))
  assert.equal(log.includes('r3 in'), false, 'a backup must not start while the prune runs')
  prune.finish()
  await Promise.all([w, r3])
  assert.deepEqual(log, ['r1 done', 'r2 done', 'prune in', 'prune out', 'r3 in'])
  assert.equal(locks.size, 0, 'the lock leaves the map once nobody holds or waits')
})

test('readers share, a writer waits for them, and a failing task releases its lock', async () => {
  const locks = new RepoLocks()
  const a = held()
  let inside = 0
  let most = 0
  const reader = async (): Promise<void> => locks.shared('repo', async () => { most = Math.max(most, ++inside); await a.done; inside-- })
  const readers = [reader(), reader()]
  let wrote = false
  const writer = locks.exclusive('repo', async () => { assert.equal(inside, 0); wrote = true })
  await new Promise((resolve) => setImmediate(resolve))
  assert.equal(most, 2)
  assert.equal(wrote, false)
  a.finish()
  await Promise.all([...readers, writer])
  assert.equal(wrote, true)
  await assert.rejects(locks.exclusive('repo', async () => { throw new Error('prune failed') }), /prune failed/)
  await locks.shared('repo', async () => undefined)
  assert.equal(locks.size, 0)
})

test('a waiting prune goes before readers that come after it, and a prune that gives up lets them in', async () => {
  const locks = new RepoLocks()
  const log: string[] = []
  const first = held()
  const r1 = locks.shared('repo', async () => { await first.done; log.push('r1 out') })
  const w = locks.exclusive('repo', async () => { log.push('prune') })
  const r2 = locks.shared('repo', async () => { log.push('r2') })
  await new Promise((resolve) => setImmediate(resolve))
  assert.equal(log.length, 0, 'the later reader waits behind the waiting prune')
  first.finish()
  await Promise.all([r1, w, r2])
  assert.deepEqual(log, ['r1 out', 'prune', 'r2'])

  // A prune that gives up while a reader holds the lock: the readers queued behind it go on.
  const second = held()
  const r3 = locks.shared('repo', async () => { await second.done })
  const stop = new AbortController()
  const gaveUp = locks.exclusive('repo', async () => { log.push('never') }, stop.signal)
  const r4 = locks.shared('repo', async () => { log.push('r4') })
  stop.abort(new Error('the prune job timed out'))
  await assert.rejects(gaveUp, /timed out/)
  await r4
  second.finish()
  await r3
  assert.deepEqual(log.slice(3), ['r4'])
  assert.equal(locks.size, 0)
})
