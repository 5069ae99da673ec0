import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { mkdtemp, open, readdir, rm, statfs } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from 'node:test'
import type { TestContext } from 'node:test'
import { promisify } from 'node:util'
import { DiskFullError } from '@resilien/types'
import { createDiskShardStore } from '../src/index.js'
import type { DiskShardStore } from '../src/index.js'
import { chunked, makeShard, tempDirectory } from './helpers.js'
import type { TestShard } from './helpers.js'

const run = promisify(execFile)
const MiB = 1024 * 1024
/** The small file system: room for the index and a few 1 MiB shards. */
const SMALL_FS_BYTES = 4 * MiB
const SHARD_BYTES = 1 * MiB
/** How the two refusals read: the free-space check before writing, or the file system's own answer. */
const RESERVE = /kept in reserve/
const ENOSPC = /ENOSPC/

async function availableBytes (path: string): Promise<number> {
  const stats = await statfs(path)
  return stats.bavail * stats.bsize
}

async function filesUnder (dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true })
  return entries.filter((entry) => entry.isFile()).map((entry) => entry.name)
}

/** A refused put: DiskFullError that says retrying later can help, and no file, entry or count left. */
async function assertRefusedLeavingNothing (
  store: DiskShardStore, shard: TestShard, put: Promise<void>, countBefore: number, reason: RegExp
): Promise<void> {
  await assert.rejects(put, (error: unknown) => {
    assert.ok(error instanceof DiskFullError, String(error))
    assert.equal(error.permanent, false)
    assert.equal(error.needed, shard.bytes.byteLength)
    assert.match(error.message, reason)
    return true
  })
  assert.deepEqual(await readdir(join(store.path, 'tmp')), [])
  assert.ok(!(await filesUnder(join(store.path, 'shards'))).includes(shard.id))
  assert.deepEqual(await store.has([shard.id]), [false])
  assert.equal((await store.stats()).shards, countBefore)
}

/** A store whose reserve is larger than the free space: the free-space check refuses every put. */
async function refuseByReserve (t: TestContext): Promise<void> {
  const path = await tempDirectory(t)
  const reserveBytes = await availableBytes(path)
  const store = await createDiskShardStore({ path, reserveBytes })
  t.after(async () => { await store.close() })
  const shard = makeShard(SHARD_BYTES)
  await assertRefusedLeavingNothing(store, shard, store.put(shard.id, shard.bytes), 0, RESERVE)
  await assertRefusedLeavingNothing(store, shard, store.put(shard.id, chunked(shard.bytes, 64 * 1024), { size: SHARD_BYTES }), 0, RESERVE)
}

/** Mounts a tmpfs of SMALL_FS_BYTES when running as root; undefined when this process cannot. */
async function mountSmallFileSystem (t: TestContext): Promise<string | undefined> {
  if (process.getuid?.() !== 0) {
    t.diagnostic('not root: no tmpfs; the full disk is simulated with reserveBytes')
    return undefined
  }
  const dir = await mkdtemp(join(tmpdir(), 'resilien-tmpfs-'))
  try {
    await run('mount', ['-t', 'tmpfs', '-o', `size=${SMALL_FS_BYTES}`, 'tmpfs', dir])
  } catch (error) {
    await rm(dir, { recursive: true, force: true })
    t.diagnostic(`mount -t tmpfs failed (${String(error)}); the full disk is simulated with reserveBytes`)
    return undefined
  }
  return dir
}

/** Writes `path` until the file system answers ENOSPC. */
async function fillFileSystem (path: string): Promise<void> {
  const handle = await open(path, 'w')
  const block = new Uint8Array(64 * 1024).fill(7)
  try {
    for (;;) await handle.write(block)
  } catch (error) {
    assert.equal((error as { code?: unknown }).code, 'ENOSPC')
  } finally {
    await handle.close()
  }
}

test('a put that would eat into the reserve fails with DiskFullError before writing anything', async (t) => {
  await refuseByReserve(t)
})

test('a put that meets a full file system (ENOSPC) mid-write fails with DiskFullError, leaves nothing, and the store goes on', async (t) => {
  const mount = await mountSmallFileSystem(t)
  if (mount === undefined) {
    await refuseByReserve(t)
    return
  }
  let store: DiskShardStore | undefined
  t.after(async () => {
    await store?.close()
    await run('umount', [mount])
    await rm(mount, { recursive: true, force: true })
  })
  store = await createDiskShardStore({ path: join(mount, 'store'), reserveBytes: 0 })
  const first = makeShard(SHARD_BYTES)
  await store.put(first.id, first.bytes)

  // The free-space check passes; a filler takes the rest of the space while the shard streams in.
  const filler = join(mount, 'filler')
  const second = makeShard(SHARD_BYTES)
  async function * fillingMidway (): AsyncGenerator<Uint8Array> {
    yield second.bytes.slice(0, SHARD_BYTES / 4)
    await fillFileSystem(filler)
    yield * chunked(second.bytes.subarray(SHARD_BYTES / 4), 64 * 1024)
  }
  await assertRefusedLeavingNothing(store, second, store.put(second.id, fillingMidway(), { size: SHARD_BYTES }), 1, ENOSPC)
  assert.deepEqual(await store.get(first.id), first.bytes)

  await rm(filler)
  await store.put(second.id, second.bytes)
  assert.deepEqual(await store.get(second.id, { offset: 1000, length: 70000 }), second.bytes.slice(1000, 71000))

  // Larger than the whole file system: refused by the free-space check before any write.
  const tooLarge = makeShard(SMALL_FS_BYTES + 1)
  await assertRefusedLeavingNothing(store, tooLarge, store.put(tooLarge.id, tooLarge.bytes), 2, RESERVE)
  const stats = await store.stats()
  assert.deepEqual({ shards: stats.shards, bytes: stats.bytes }, { shards: 2, bytes: 2 * SHARD_BYTES })
})
