import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { open, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { test } from 'node:test'
import { promisify } from 'node:util'
import { hash } from '@resilien/hashing'
import { toHex } from '@resilien/types'
import { alignedBuffer } from '../src/aligned-memory.js'
import { blockDigests } from '../src/block-digests.js'
import { createDiskShardStore } from '../src/index.js'
import { VERIFY_READ_BYTES, verifyShardFile } from '../src/shard-file-verifier.js'
import { cachedBytes, makeShard, mountRamfs, tempDirectory } from './helpers.js'

// These tests are about reads past the page cache: the switch that turns them off must not.
delete process.env.RESILIEN_DIRECT_IO

const run = promisify(execFile)
const KiB = 1024

/** A file of `bytes` and its block record, written through the cache and then dropped from it. */
async function shardFile (dir: string, bytes: Uint8Array, blockSize: number): Promise<{ path: string, id: string, record: { size: number, blockSize: number, digests: Uint8Array } }> {
  const path = join(dir, `s${bytes.byteLength}-${blockSize}`)
  await writeFile(path, bytes)
  // fdatasync, then POSIX_FADV_DONTNEED through dd: the pages leave the cache.
  await run('dd', [`if=${path}`, 'iflag=nocache', 'count=0', 'status=none'])
  await run('dd', [`of=${path}`, 'oflag=nocache', 'conv=notrunc,fdatasync', 'count=0', 'status=none'])
  return { path, id: toHex(hash(bytes)), record: { size: bytes.byteLength, blockSize, digests: blockDigests(bytes, blockSize) } }
}

test('a scrub\'s verify reads past the page cache, at every size around the alignment and with small and large blocks, and still finds a flipped byte', async (t) => {
  const dir = await tempDirectory(t)
  const buffer = alignedBuffer(VERIFY_READ_BYTES)
  for (const [size, blockSize] of [[1, 64 * KiB], [4095, 64 * KiB], [4097, 1 * KiB], [VERIFY_READ_BYTES + 17, 64 * KiB], [3 * 1024 * KiB + 5, 64 * KiB], [1024 * KiB, 3 * KiB], [2 * 1024 * KiB, 1024 * KiB]] as const) {
    const bytes = randomBytes(size)
    const { path, id, record } = await shardFile(dir, bytes, blockSize)
    assert.equal(await verifyShardFile(path, id, record, { buffer, direct: true }), true, `${size} bytes, ${blockSize}-byte blocks`)
    // Blocks of 3 KiB or 1 MiB do not fit aligned direct reads: those go through the cache.
    if (blockSize % 4096 === 0 && blockSize <= VERIFY_READ_BYTES) assert.equal(await cachedBytes(path), 0, `${size} bytes: the verify cached nothing`)
    const handle = await open(path, 'r+')
    const at = Math.floor(size / 2)
    await handle.write(Buffer.from([bytes[at] as number ^ 0x40]), 0, 1, at)
    await handle.close()
    assert.equal(await verifyShardFile(path, id, record, { buffer, direct: true }), false, `${size} bytes: the flipped byte is found`)
  }
})

test('a store\'s verify leaves its shards out of the page cache', async (t) => {
  const path = await tempDirectory(t)
  const store = await createDiskShardStore({ path })
  t.after(async () => { await store.close() })
  const shard = makeShard(2 * 1024 * KiB + 3)
  await store.put(shard.id, shard.bytes)
  const file = join(path, 'shards', shard.id.slice(0, 2), shard.id)
  assert.equal(await cachedBytes(file), 0, 'written directly')
  assert.equal(await store.verify(shard.id), true)
  assert.equal(await cachedBytes(file), 0, 'verified directly')
  assert.ok(Buffer.from(await store.get(shard.id) as Uint8Array).equals(shard.bytes))
})

test('on a file system that refuses O_DIRECT (ramfs) a verify reads through the cache', async (t) => {
  const mnt = await mountRamfs(t)
  const bytes = randomBytes(300 * KiB + 1)
  const path = join(mnt, 'shard')
  await writeFile(path, bytes)
  const record = { size: bytes.byteLength, blockSize: 64 * KiB, digests: blockDigests(bytes, 64 * KiB) }
  assert.equal(await verifyShardFile(path, toHex(hash(bytes)), record, { buffer: alignedBuffer(VERIFY_READ_BYTES), direct: true }), true)
  assert.equal(await verifyShardFile(join(mnt, 'missing'), toHex(hash(bytes)), record, { direct: true }), undefined)
})
