import { test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdir, readFile, writeFile } from 'node:fs/promises'
import { randomBytes } from 'node:crypto'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { backup, restore, SealPool } from '../src/index.js'
import { newRepository } from './helpers.js'

test('seal workers start with the first backup, stop when idle, and start again for the next', async (t) => {
  const { repo, dir } = await newRepository(t)
  // A second of idle time: far more than a backup's commit after its last task takes, even on a
  // busy machine (100 ms failed once while every test file ran at once).
  const pool = new SealPool(1, 1000)
  t.after(async () => { await pool.close() })
  assert.equal(pool.running, 0, 'no worker before any work')
  const src = join(dir, 'src')
  await mkdir(src)
  const first = randomBytes(2_000_000)
  await writeFile(join(src, 'a.bin'), first)
  await backup(repo, { paths: [src], redundancyCheck: async () => undefined, sealPool: pool })
  assert.equal(pool.running, 1, 'the worker stays up right after a backup')
  for (let i = 0; i < 150 && pool.running > 0; i++) await sleep(20)
  assert.equal(pool.running, 0, 'the worker stopped after the idle time')
  const second = randomBytes(2_000_000)
  await writeFile(join(src, 'b.bin'), second)
  const result = await backup(repo, { paths: [src], redundancyCheck: async () => undefined, sealPool: pool })
  assert.equal(result.stats.files, 2)
  assert.equal(pool.running, 1, 'a new worker did the second backup')
  const target = join(dir, 'out')
  await restore(repo, { snapshot: 'latest', target })
  assert.ok((await readFile(join(target, src, 'a.bin'))).equals(first))
  assert.ok((await readFile(join(target, src, 'b.bin'))).equals(second))
})

test('the pool settles once, settleMs after its last task, and not while tasks come', async (t) => {
  const { repo, dir } = await newRepository(t)
  // A second apart: far more than a commit takes, so the checks below hold on a busy machine.
  const pool = new SealPool(1, 20_000, 1000)
  t.after(async () => { await pool.close() })
  const src = join(dir, 'src')
  await mkdir(src)
  await writeFile(join(src, 'a.bin'), randomBytes(300_000))
  await backup(repo, { paths: [src], redundancyCheck: async () => undefined, sealPool: pool })
  assert.equal(pool.settles, 0, 'not right after the last task')
  await sleep(500)
  // A task within settleMs puts the settling off until settleMs after it.
  await writeFile(join(src, 'b.bin'), randomBytes(300_000))
  await backup(repo, { paths: [src], redundancyCheck: async () => undefined, sealPool: pool })
  await sleep(100)
  assert.equal(pool.settles, 0, 'the second backup put it off')
  for (let i = 0; i < 150 && pool.settles === 0; i++) await sleep(20)
  assert.equal(pool.settles, 1)
  await sleep(1200)
  assert.equal(pool.settles, 1, 'once per quiet spell')
  assert.equal(pool.running, 1, 'the worker is trimmed, not stopped')
  // The trimmed worker still does the next backup.
  const third = randomBytes(300_000)
  await writeFile(join(src, 'c.bin'), third)
  const result = await backup(repo, { paths: [src], redundancyCheck: async () => undefined, sealPool: pool })
  assert.equal(result.stats.files, 3)
  const target = join(dir, 'out')
  await restore(repo, { snapshot: 'latest', target })
  assert.ok((await readFile(join(target, src, 'c.bin'))).equals(third))
})

test('a worker that dies leaves the pool (its tasks fail), and the next backup gets a fresh worker', async (t) => {
  const { repo, dir } = await newRepository(t)
  const pool = new SealPool(1, 20_000)
  t.after(async () => { await pool.close() })
  const src = join(dir, 'src')
  await mkdir(src)
  await writeFile(join(src, 'a.bin'), randomBytes(200_000))
  await backup(repo, { paths: [src], redundancyCheck: async () => undefined, sealPool: pool })
  assert.equal(pool.running, 1)
  // Killed from outside, as an out-of-memory end would: the pool must not post to it again.
  const [dead] = (pool as unknown as { workers: Array<{ worker: { terminate: () => Promise<number> } }> }).workers
  await dead?.worker.terminate()
  for (let i = 0; i < 100 && pool.running > 0; i++) await sleep(10)
  assert.equal(pool.running, 0, 'the dead worker left the pool')
  const b = randomBytes(300_000)
  await writeFile(join(src, 'b.bin'), b)
  const second = await backup(repo, { paths: [src], redundancyCheck: async () => undefined, sealPool: pool })
  assert.equal(second.stats.files, 2)
  assert.equal(pool.running, 1, 'a fresh worker did the backup')
  const target = join(dir, 'out')
  await restore(repo, { snapshot: 'latest', target })
  assert.ok((await readFile(join(target, src, 'b.bin'))).equals(b))
})
