import { test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdir, readFile, stat, utimes, writeFile, chmod } from 'node:fs/promises'
import { join } from 'node:path'
import { randomBytes } from 'node:crypto'
import type { ShardStore } from '@resilien/types'
import { backup, restore, SealPool } from '../src/index.js'
import { newRepository } from './helpers.js'
import type { TestContext } from './helpers.js'

/** Files whose chunks interleave in packs, shared chunks, a repeated chunk, zeros and an empty file. */
async function writeTree (src: string): Promise<Map<string, Buffer>> {
  const files = new Map<string, Buffer>()
  const shared = randomBytes(400_000)
  // About 30 MB: more than the reader's caches hold, so a second read of a shard would show.
  for (let i = 0; i < 24; i++) {
    const dir = join(src, `d${i % 4}`)
    await mkdir(dir, { recursive: true })
    // Every third file carries the same 400 kB in its middle: the same chunks go to several files.
    const data = i % 3 === 0 ? Buffer.concat([randomBytes(650_000 + i * 1000), shared, randomBytes(190_000)]) : randomBytes(1_000_000 + i * 7_000)
    files.set(join(dir, `f${i}.bin`), data)
  }
  const block = randomBytes(300_000)
  files.set(join(src, 'repeated.bin'), Buffer.concat([block, block, block]))
  files.set(join(src, 'zeros.img'), Buffer.alloc(1_500_000))
  files.set(join(src, 'empty'), Buffer.alloc(0))
  for (const [path, data] of files) {
    await mkdir(join(path, '..'), { recursive: true })
    await writeFile(path, data)
  }
  await chmod(join(src, 'd1', 'f1.bin'), 0o640)
  await utimes(join(src, 'd2'), 1_600_000_000, 1_600_000_000)
  return files
}

/** Counts whole-shard reads per shard on every site. */
function countReads (stores: Map<string, ShardStore>): Map<string, number> {
  const reads = new Map<string, number>()
  for (const store of stores.values()) {
    const get = store.get.bind(store)
    store.get = async (id, range, options) => {
      reads.set(id, (reads.get(id) ?? 0) + 1)
      return get(id, range, options)
    }
  }
  return reads
}

interface Restorable {
  repo: Awaited<ReturnType<typeof newRepository>>['repo']
  stores: Map<string, ShardStore>
  files: Map<string, Buffer>
  src: string
  dir: string
}

async function backedUp (t: TestContext): Promise<Restorable> {
  const { repo, dir, stores } = await newRepository(t)
  const src = join(dir, 'src')
  const files = await writeTree(src)
  await backup(repo, { paths: [src], redundancyCheck: async () => undefined })
  return { repo, stores, files, src, dir }
}

async function assertRestored (files: Map<string, Buffer>, src: string, target: string): Promise<void> {
  for (const [path, data] of files) {
    const restored = await readFile(join(target, path))
    assert.ok(restored.equals(data), `${path} comes back byte for byte`)
    const [a, b] = await Promise.all([stat(path), stat(join(target, path))])
    assert.equal(b.mode, a.mode, `${path} mode`)
    // utimes takes seconds as a double: microseconds survive, not nanoseconds.
    assert.equal(Math.round(b.mtimeMs), Math.round(a.mtimeMs), `${path} mtime`)
  }
  const [dirA, dirB] = await Promise.all([stat(join(src, 'd2')), stat(join(target, src, 'd2'))])
  assert.equal(Math.round(dirB.mtimeMs), Math.round(dirA.mtimeMs), 'a folder keeps its mtime after its files are written')
  const zeros = await stat(join(target, src, 'zeros.img'))
  assert.ok(zeros.blocks * 512 < zeros.size, 'zeros come back as a hole')
}

test('restore reads each data shard once, in pack order, and writes every chunk wherever it is needed', async (t) => {
  const { repo, stores, files, src, dir } = await backedUp(t)
  const reads = countReads(stores)
  const target = join(dir, 'out')
  const result = await restore(repo, { snapshot: 'latest', target })
  await assertRestored(files, src, target)
  assert.equal(result.files, files.size)
  assert.equal(result.bytes, [...files.values()].reduce((n, b) => n + b.byteLength, 0))
  assert.ok(reads.size > 10, `the data spans many shards (${reads.size})`)
  assert.deepEqual([...reads.entries()].filter(([, n]) => n > 1), [], 'no shard is read twice')
  // Trees are read through the shard cache; a restore that is over holds none of it.
  await repo.loadTree((await repo.listSnapshots())[0]?.record.tree ?? [])
  assert.ok(repo.reader.cachedBytes > 0, 'loading a tree fills the shard cache')
  await restore(repo, { snapshot: 'latest', target: join(dir, 'out2') })
  assert.equal(repo.reader.cachedBytes, 0)
})

test('a restore whose blobs are opened and written in a seal-pool worker gives the same files, holes and metadata', async (t) => {
  const { repo, files, src, dir } = await backedUp(t)
  const pool = new SealPool(1)
  t.after(async () => { await pool.close() })
  const target = join(dir, 'out')
  const result = await restore(repo, { snapshot: 'latest', target, sealPool: pool, windowChunks: 7 })
  assert.equal(pool.running, 1, 'the worker did the writing')
  await assertRestored(files, src, target)
  assert.equal(result.files, files.size)
  assert.equal(result.bytes, [...files.values()].reduce((n, b) => n + b.byteLength, 0))
  assert.deepEqual(result.warnings, [])
})

test('files cut over several plan windows restore whole, and a lost site is read around', async (t) => {
  const { repo, stores, files, src, dir } = await backedUp(t)
  // A window of 5 chunks: every file of more than 5 chunks is planned over several windows.
  await restore(repo, { snapshot: 'latest', target: join(dir, 'small-windows'), windowChunks: 5 })
  await assertRestored(files, src, join(dir, 'small-windows'))
  // Site s1 holds data shard 0 of every pack: each pack is rebuilt from shard 1 and parity.
  const s1 = stores.get('s1') as ShardStore
  for await (const info of s1.list()) await s1.delete(info.id)
  repo.reader.failures.length = 0
  await restore(repo, { snapshot: 'latest', target: join(dir, 'degraded'), windowChunks: 64 })
  await assertRestored(files, src, join(dir, 'degraded'))
  assert.ok(repo.reader.failures.length > 0 && repo.reader.failures.every((f) => f.site === 's1'), 'only the lost site\'s shards failed')
})

test('restore into a folder that cannot be written reports each file and stops nothing else', async (t) => {
  const { repo, files, dir } = await backedUp(t)
  const target = join(dir, 'out')
  // A folder with a file in it where each file of d3 should be: those fail (the restore does
  // not delete what it did not write), the rest restores.
  for (const path of files.keys()) {
    if (!path.includes('/d3/')) continue
    await mkdir(join(target, path), { recursive: true })
    await writeFile(join(target, path, 'in-the-way'), 'not the restore\'s')
  }
  const warnings: string[] = []
  const result = await restore(repo, { snapshot: 'latest', target, onWarning: (w) => warnings.push(w) })
  assert.ok(warnings.length >= 1 && warnings.every((w) => w.includes('/d3')), warnings.join('\n'))
  for (const [path, data] of files) {
    if (path.includes('/d3/')) continue
    assert.ok((await readFile(join(target, path))).equals(data), path)
  }
  assert.equal(result.files, [...files.keys()].filter((p) => !p.includes('/d3/')).length)
})
