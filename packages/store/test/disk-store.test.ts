import assert from 'node:assert/strict'
import { mkdtemp, open, readdir, rm, stat, truncate, unlink, appendFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from 'node:test'
import { ClassicLevel } from 'classic-level'
import { CorruptShardError, InvalidInputError, ResilienError } from '@resilien/types'
import { createDiskShardStore } from '../src/index.js'
import type { DiskShardStore } from '../src/index.js'
import { VERIFY_READ_BYTES } from '../src/shard-file-verifier.js'
import { shardStoreCompliance } from './compliance.js'
import { collectList, makeShard, tempDirectory } from './helpers.js'
import type { TestShard } from './helpers.js'
import type { TestContext } from 'node:test'

const KiB = 1024
const BLOCK = 64 * KiB

shardStoreCompliance('disk store', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'resilien-store-'))
  const store = await createDiskShardStore({ path: dir })
  return {
    store,
    cleanup: async () => {
      await store.close()
      await rm(dir, { recursive: true, force: true })
    }
  }
})

async function openStore (t: TestContext, options: { blockSize?: number } = {}): Promise<DiskShardStore> {
  const path = await tempDirectory(t)
  const store = await createDiskShardStore({ path, ...options })
  t.after(async () => { await store.close() })
  return store
}

function fileOf (store: DiskShardStore, id: string): string {
  return join(store.path, 'shards', id.slice(0, 2), id)
}

async function flipByte (path: string, offset: number): Promise<void> {
  const handle = await open(path, 'r+')
  try {
    const byte = new Uint8Array(1)
    await handle.read(byte, 0, 1, offset)
    byte[0] = (byte[0] ?? 0) ^ 0x01
    await handle.write(byte, 0, 1, offset)
  } finally {
    await handle.close()
  }
}

async function rejectsCorrupt (promise: Promise<unknown>, id: string, what: string): Promise<void> {
  await assert.rejects(promise, (error: unknown) => {
    assert.ok(error instanceof CorruptShardError, `${what}: ${String(error)}`)
    assert.equal(error.shardId, id, what)
    return true
  })
}

async function storedShard (store: DiskShardStore, size: number): Promise<TestShard> {
  const shard = makeShard(size)
  await store.put(shard.id, shard.bytes)
  return shard
}

test('a shard lives at shards/<first two hex>/<id> and tmp/ is empty after a put', async (t) => {
  const store = await openStore(t)
  const shard = await storedShard(store, 3000)
  assert.equal((await stat(fileOf(store, shard.id))).size, 3000)
  assert.deepEqual(await readdir(join(store.path, 'tmp')), [])
})

test('a flipped byte is reported with the shard id by full reads, by ranges over its block, and by verify', async (t) => {
  const store = await openStore(t)
  const shard = await storedShard(store, 5 * BLOCK + 100)
  const other = await storedShard(store, 2 * BLOCK)
  await flipByte(fileOf(store, shard.id), 2 * BLOCK + 10)
  await rejectsCorrupt(store.get(shard.id), shard.id, 'full read')
  await rejectsCorrupt(store.get(shard.id, { offset: 2 * BLOCK + 10, length: 1 }), shard.id, 'the flipped byte')
  await rejectsCorrupt(store.get(shard.id, { offset: BLOCK + 5, length: BLOCK }), shard.id, 'a range reaching into the block')
  assert.equal(await store.verify(shard.id), false)
  assert.equal(await store.verify(other.id), true)
  assert.deepEqual(await store.get(other.id), other.bytes)
})

test('verify reads a shard in pieces of whole blocks and finds a flipped byte in any of them', async (t) => {
  const store = await openStore(t)
  // Several read pieces long, the last piece short and its last block partial.
  const size = 2 * VERIFY_READ_BYTES + 3 * BLOCK + 77
  const shards = await Promise.all([0, 1, 2].map(async () => await storedShard(store, size)))
  for (const s of shards) assert.equal(await store.verify(s.id), true)
  const at = [10, VERIFY_READ_BYTES + BLOCK + 3, size - 1]
  for (const [i, s] of shards.entries()) {
    await flipByte(fileOf(store, s.id), at[i] as number)
    assert.equal(await store.verify(s.id), false, `flipped at ${at[i] as number}`)
  }
})

test('a range read of an untouched block of a corrupt shard still returns its verified bytes', async (t) => {
  const store = await openStore(t)
  const shard = await storedShard(store, 5 * BLOCK + 100)
  await flipByte(fileOf(store, shard.id), 2 * BLOCK + 10)
  for (const range of [{ offset: 0, length: BLOCK }, { offset: 3 * BLOCK + 7, length: 2 * BLOCK }]) {
    assert.deepEqual(await store.get(shard.id, range), shard.bytes.slice(range.offset, range.offset + range.length))
  }
})

test('a truncated, extended or deleted shard file fails every read with the shard id', async (t) => {
  const store = await openStore(t)
  const truncated = await storedShard(store, 3 * BLOCK)
  const extended = await storedShard(store, 3 * BLOCK)
  const deleted = await storedShard(store, 3 * BLOCK)
  await truncate(fileOf(store, truncated.id), 3 * BLOCK - 1)
  await appendFile(fileOf(store, extended.id), Uint8Array.of(0))
  await unlink(fileOf(store, deleted.id))
  for (const { id } of [truncated, extended, deleted]) {
    await rejectsCorrupt(store.get(id), id, 'full read')
    await rejectsCorrupt(store.get(id, { offset: 0, length: 100 }), id, 'range of an intact region')
    assert.equal(await store.verify(id), false)
  }
  assert.deepEqual(await store.has([deleted.id]), [true], 'has answers from the index; scrub finds the missing file')
})

test('quarantine moves a shard out of service, and a repair can put it back', async (t) => {
  const store = await openStore(t)
  const shard = await storedShard(store, 2 * BLOCK)
  await flipByte(fileOf(store, shard.id), 5)
  assert.equal(await store.quarantine(shard.id), true)
  assert.deepEqual(await store.has([shard.id]), [false])
  assert.equal(await store.get(shard.id), undefined)
  assert.equal((await store.stats()).shards, 0)
  const quarantined = await readdir(join(store.path, 'quarantine'))
  assert.equal(quarantined.length, 1)
  assert.ok(quarantined[0]?.startsWith(shard.id))
  assert.equal(await store.quarantine(shard.id), false)
  assert.equal(await store.verify(shard.id), undefined)
  await store.put(shard.id, shard.bytes)
  assert.deepEqual(await store.get(shard.id), shard.bytes)
  assert.equal(await store.verify(shard.id), true)
})

test('reopening a store keeps every shard, its listing and its counters', async (t) => {
  const path = await tempDirectory(t)
  let store = await createDiskShardStore({ path })
  const shards = await Promise.all(Array.from({ length: 6 }, async (_, i) => await storedShard(store, 10 * KiB * (i + 1))))
  await store.delete(shards[0]?.id ?? '')
  const listed = await collectList(store.list())
  const stats = await store.stats()
  await store.close()
  store = await createDiskShardStore({ path })
  t.after(async () => { await store.close() })
  assert.deepEqual(await collectList(store.list()), listed)
  const reopened = await store.stats()
  assert.deepEqual({ shards: reopened.shards, bytes: reopened.bytes }, { shards: stats.shards, bytes: stats.bytes })
  assert.equal(reopened.shards, 5)
  for (const shard of shards.slice(1)) assert.deepEqual(await store.get(shard.id, { offset: 3, length: 5000 }), shard.bytes.slice(3, 5003))
})

test('each shard keeps the block size it was stored with across reopens with another block size', async (t) => {
  const path = await tempDirectory(t)
  const small = await createDiskShardStore({ path, blockSize: 4 * KiB })
  const shard = await storedShard(small, 40 * KiB)
  await small.close()
  const store = await createDiskShardStore({ path })
  t.after(async () => { await store.close() })
  await flipByte(fileOf(store, shard.id), 9 * KiB)
  // With 4 KiB blocks the neighbouring 4 KiB blocks still verify; with 64 KiB blocks they would not.
  assert.deepEqual(await store.get(shard.id, { offset: 4 * KiB, length: 4 * KiB }), shard.bytes.slice(4 * KiB, 8 * KiB))
  assert.deepEqual(await store.get(shard.id, { offset: 12 * KiB, length: 100 }), shard.bytes.slice(12 * KiB, 12 * KiB + 100))
  await rejectsCorrupt(store.get(shard.id, { offset: 8 * KiB, length: 4 * KiB }), shard.id, 'the 4 KiB block with the flip')
})

test('a whole read needs only the small size record, not the block digests that range reads use', async (t) => {
  const path = await tempDirectory(t)
  const first = await createDiskShardStore({ path })
  const shard = await storedShard(first, 200 * KiB)
  await first.close()
  // The digests go (a state the store never leaves behind): a whole read, checked against the id,
  // still works, so it never looked them up; a 2 MiB shard's digests are 1 KiB of index, its size
  // record 17 bytes, and reading many shards then touches a small part of the index.
  const index = new ClassicLevel<string, Uint8Array>(join(path, 'index'), { keyEncoding: 'utf8', valueEncoding: 'view' })
  await index.sublevel<string, Uint8Array>('blocks', { keyEncoding: 'utf8', valueEncoding: 'view' }).del(shard.id)
  await index.close()
  const store = await createDiskShardStore({ path })
  t.after(async () => { await store.close() })
  assert.deepEqual(await store.get(shard.id), shard.bytes)
  assert.equal(await store.get(shard.id, { offset: 0, length: 10 }), undefined, 'a range read needs the digests')
  await flipByte(fileOf(store, shard.id), 7)
  await rejectsCorrupt(store.get(shard.id), shard.id, 'a whole read of a flipped byte')
})

test('a second store on the same path is refused while the first is open', async (t) => {
  const path = await tempDirectory(t)
  const store = await createDiskShardStore({ path })
  t.after(async () => { await store.close() })
  await assert.rejects(createDiskShardStore({ path }), ResilienError)
})

test('bad options are refused with InvalidInputError', async (t) => {
  const path = await tempDirectory(t)
  for (const init of [{ path, blockSize: 100 }, { path, blockSize: 4096.5 }, { path, reserveBytes: -1 }, { path: '' }]) {
    await assert.rejects(createDiskShardStore(init), InvalidInputError, JSON.stringify(init))
  }
})

test('reads racing deletes see the shard or nothing, never a corrupt shard', async (t) => {
  const store = await openStore(t)
  const shards = await Promise.all(Array.from({ length: 20 }, async () => await storedShard(store, 8 * KiB)))
  const results = await Promise.all(shards.flatMap((shard) => [
    store.get(shard.id),
    store.get(shard.id, { offset: 1, length: 10 }),
    store.delete(shard.id).then(() => 'deleted' as const)
  ]))
  for (const result of results) assert.ok(result === undefined || result === 'deleted' || result instanceof Uint8Array)
  assert.equal((await store.stats()).shards, 0)
})
