import { test } from 'node:test'
import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { openChunk } from '@resilien/crypto'
import { keyedHash } from '@resilien/hashing'
import { BufferPool } from '../src/buffer-pool.js'
import { BlobType, ID_LENGTH, TRAILER_AAD, blobAad } from '../src/format.js'
import { decodeEntries } from '../src/pack-format.js'
import { Packer, PACK_TAIL_RESERVE, packBufferBytes } from '../src/packer.js'
import type { FinishedPack } from '../src/packer.js'
import { SealArena } from '../src/seal-arena.js'
import { sealBlobsInto, sealedBound } from '../src/seal-job.js'

const KEY = new Uint8Array(32).fill(7)
const META = new Uint8Array(32).fill(9)

/** The entries a finished pack lists in its sealed trailer. */
function trailerOf (pack: FinishedPack): ReturnType<typeof decodeEntries> {
  const bytes = Buffer.from(pack.bytes)
  const length = bytes.readUInt32LE(bytes.byteLength - 4)
  return decodeEntries(openChunk(META, bytes.subarray(bytes.byteLength - 4 - length, bytes.byteLength - 4), TRAILER_AAD))
}

test('a buffer pool hands back given blocks and keeps no more idle ones than its budget', () => {
  const pool = new BufferPool(1024, 2)
  const a = pool.take()
  const b = pool.take()
  const c = pool.take()
  pool.give(a)
  pool.give(a)
  pool.give(b)
  pool.give(c)
  pool.give(new Uint8Array(512))
  assert.equal(pool.spareCount, 2, 'a twice, a foreign size and a third block are not kept')
  const again = [pool.take(), pool.take()]
  assert.ok(again.includes(a) && again.includes(b))
})

test('a cleared buffer pool keeps no idle block and hands out fresh ones', () => {
  const pool = new BufferPool(1024, 2)
  const a = pool.take()
  pool.give(a)
  pool.clear()
  assert.equal(pool.spareCount, 0)
  assert.notEqual(pool.take(), a)
})

test('a pack is finished in its own buffer, which goes back to the pool only when released', () => {
  const k = 2
  const target = 64 * 1024
  const maxBlob = 16 * 1024
  const pool = new BufferPool(packBufferBytes(target, maxBlob, k), 4)
  const packer = new Packer(KEY, META, target, maxBlob, k, pool)
  const blobs: Uint8Array[] = []
  while (!packer.full) {
    const blob = randomBytes(10_000)
    blobs.push(blob)
    packer.add(BlobType.data, keyedHash(KEY, blob), blob, blob.byteLength)
  }
  const first = packer.finish() as FinishedPack
  assert.equal(first.padded.byteLength % k, 0)
  assert.ok(!Buffer.isBuffer(first.padded), 'stores that slice() what they get must get a copy')
  assert.deepEqual(trailerOf(first).map((e) => e.offset), trailerOf(first).map((_, i) => i * (10_000 + 28)))
  const sealed = first.bytes.subarray(0, 10_000 + 28)
  assert.ok(Buffer.from(openChunk(KEY, sealed, blobAad(BlobType.data, keyedHash(KEY, blobs[0] as Uint8Array)))).equals(blobs[0] as Uint8Array))
  assert.equal(pool.spareCount, 0)
  packer.add(BlobType.data, new Uint8Array(32), randomBytes(100), 100)
  const second = packer.finish() as FinishedPack
  assert.notEqual(second.padded.buffer, first.padded.buffer, 'a pack in flight is never reused')
  first.release?.()
  first.release?.()
  assert.equal(pool.spareCount, 1)
  packer.add(BlobType.data, new Uint8Array(32), randomBytes(100), 100)
  assert.equal(pool.spareCount, 0, 'the next pack took the released buffer')
})

test('a pack whose trailer does not fit its buffer is copied out and the buffer kept', () => {
  const pool = new BufferPool(packBufferBytes(64 * 1024, 64, 2), 4)
  const packer = new Packer(KEY, META, 64 * 1024, 64, 2, pool)
  // Tiny blobs: their trailer entries outgrow the reserve behind them.
  let count = 0
  while (!packer.full) packer.add(BlobType.tree, randomBytes(32), Uint8Array.of(count++ & 0xff), 1)
  const pack = packer.finish() as FinishedPack
  assert.equal(trailerOf(pack).length, count)
  assert.equal(pack.release, undefined)
})

test('a seal arena gives each slot to one taker until it is freed', () => {
  const arena = SealArena.create(2, 1024)
  const again = SealArena.open(arena.share)
  const a = arena.take()
  const b = again.take()
  assert.deepEqual([a, b].sort(), [0, 1])
  assert.equal(arena.take(), undefined)
  again.view(b as number).fill(5)
  assert.equal(arena.view(b as number, 4).reduce((x, y) => x + y, 0), 20, 'both sides see the same memory')
  arena.free(a as number)
  assert.equal(again.taken, 1)
  assert.equal(again.take(), a)
  assert.throws(() => arena.view(2), RangeError)
})

test('sealing into a buffer too small writes nothing and says so', () => {
  const plains = [randomBytes(1000), new Uint8Array(5000)]
  const ids = new Uint8Array(2 * ID_LENGTH)
  assert.equal(sealBlobsInto(BlobType.data, KEY, ids, plains, new Uint8Array(100)), undefined)
  const out = new Uint8Array(sealedBound(plains.map((p) => p.byteLength)))
  const lengths = sealBlobsInto(BlobType.data, KEY, ids, plains, out) as number[]
  assert.equal(lengths[0], 1000 + 1 + 28, 'random bytes are stored raw')
  assert.ok((lengths[1] as number) < 5000, 'zeros are compressed')
})

test('a growing packer starts small, grows as blobs arrive and finishes the same pack as a whole buffer would', () => {
  const k = 2
  const target = 256 * 1024
  const maxBlob = 32 * 1024
  const pool = new BufferPool(packBufferBytes(target, maxBlob, k), 2)
  const whole = new Packer(KEY, META, target, maxBlob, k, pool)
  const growing = new Packer(KEY, META, target, maxBlob, k, pool, 16 * 1024)
  const blobs: Uint8Array[] = []
  while (!growing.full) {
    const blob = randomBytes(1000 + blobs.length * 997 % 30_000)
    blobs.push(blob)
    const id = keyedHash(KEY, blob)
    whole.add(BlobType.tree, id, blob, blob.byteLength)
    growing.add(BlobType.tree, id, blob, blob.byteLength)
  }
  assert.equal(pool.spareCount, 0)
  const a = whole.finish() as FinishedPack
  const b = growing.finish() as FinishedPack
  assert.ok(a.release !== undefined && b.release !== undefined, 'both finished in place: the growth kept the tail reserve')
  assert.deepEqual(trailerOf(b), trailerOf(a), 'the same entries at the same offsets')
  for (const [i, e] of trailerOf(b).entries()) {
    const sealed = b.bytes.subarray(e.offset, e.offset + e.length)
    assert.ok(Buffer.from(openChunk(KEY, sealed, blobAad(BlobType.tree, e.id))).equals(blobs[i] as Uint8Array), `blob ${i} survived the growth`)
  }
  assert.equal(b.padded.byteLength, a.padded.byteLength)
  // The next pack starts small again: its first buffer holds the blob and the tail reserve.
  growing.add(BlobType.tree, new Uint8Array(32), randomBytes(100), 100)
  const small = growing.finish() as FinishedPack
  assert.ok(small.padded.buffer.byteLength <= 2 * PACK_TAIL_RESERVE, `${small.padded.buffer.byteLength} bytes for one small blob`)
  small.release?.()
  assert.equal(pool.spareCount, 0, 'a small buffer is not a pool block')
})

test('a growing packer whose pack was finished out of place starts the next pack small again', () => {
  const k = 2
  const target = 64 * 1024
  const growing = new Packer(KEY, META, target, 64, k, undefined, 16 * 1024)
  // Tiny blobs: the trailer outgrows the tail reserve and the pack is copied out.
  let count = 0
  while (!growing.full) growing.add(BlobType.tree, randomBytes(32), Uint8Array.of(count++ & 0xff), 1)
  const pack = growing.finish() as FinishedPack
  assert.equal(pack.release, undefined, 'finished out of place')
  assert.equal(trailerOf(pack).length, count)
  growing.add(BlobType.tree, new Uint8Array(32), randomBytes(50), 50)
  const next = growing.finish() as FinishedPack
  // The grown buffer was ~128 KiB; a fresh start is the blob and the tail reserve.
  assert.ok(next.padded.buffer.byteLength < 2 * PACK_TAIL_RESERVE, `${next.padded.buffer.byteLength} bytes for one small blob: not the grown buffer`)
})

