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
  const pool = new SealPool(1, 100)
  t.after(async () => { await pool.close() })
  assert.equal(pool.running, 0, 'no worker before any work')
  const src = join(dir, 'src')
  await mkdir(src)
  const first = randomBytes(2_000_000)
  await writeFile(join(src, 'a.bin'), first)
  await backup(repo, { paths: [src], redundancyCheck: async () => undefined, sealPool: pool })
  assert.equal(pool.running, 1, 'the worker stays up right after a backup')
  for (let i = 0; i < 50 && pool.running > 0; i++) await sleep(20)
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
