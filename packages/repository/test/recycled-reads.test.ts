import { test } from 'node:test'
import type { TestContext } from 'node:test'
import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { chunkStream, createChunker } from '@resilien/chunking'
import { keyedHash } from '@resilien/hashing'
import { BufferPool } from '../src/buffer-pool.js'
import { batchChunks, readLength } from '../src/file-chunks.js'
import type { ChunkBatch } from '../src/file-chunks.js'
import { ID_LENGTH } from '../src/format.js'
import { RecycledReads } from '../src/recycled-reads.js'
import { tempDir } from './helpers.js'

const BLOCK = 64 * 1024
const CHUNKER = { minSize: 4096, avgSize: 16 * 1024, maxSize: 32 * 1024 }
const ID_KEY = new Uint8Array(32).fill(3)

async function chunkLengths (data: Uint8Array): Promise<number[]> {
  const lengths: number[] = []
  const whole = async function * (): AsyncGenerator<Uint8Array> { yield data }
  for await (const c of chunkStream(whole(), CHUNKER)) lengths.push(c.byteLength)
  return lengths
}

/** A file of `size` random bytes in a fresh folder. */
async function randomFile (t: TestContext, size: number): Promise<{ path: string, data: Buffer }> {
  const path = join(await tempDir(t), 'f')
  const data = randomBytes(size)
  await writeFile(path, data)
  return { path, data }
}

for (const blocking of [false, true]) {
  test(`recycled reads (${blocking ? 'blocking' : 'promise'} calls) cut where chunkStream cuts, every chunk a view of a pool block`, async (t) => {
    const { path, data } = await randomFile(t, 1_500_000)
    const pool = new BufferPool(BLOCK, 3)
    const reads = new RecycledReads(pool, blocking)
    const lengths: number[] = []
    const pieces: Buffer[] = []
    for await (const chunk of reads.chunks(Buffer.from(path), data.byteLength, createChunker(CHUNKER))) {
      assert.equal(chunk.buffer.byteLength, BLOCK, 'a view of a pool block, not a buffer of its own')
      lengths.push(chunk.byteLength)
      pieces.push(Buffer.from(chunk))
      reads.release(pieces.reduce((n, p) => n + p.byteLength, 0))
    }
    reads.releaseAll()
    assert.deepEqual(lengths, await chunkLengths(data))
    assert.ok(Buffer.concat(pieces).equals(data))
    assert.equal(reads.bytesRead, data.byteLength)
    assert.ok(pool.spareCount > 0 && pool.spareCount <= 3)
  })
}

test('two files read at once from one pool never get a block the other still reads into or uses', async (t) => {
  const dir = await tempDir(t)
  const files = [randomBytes(3_500_000), randomBytes(4_200_000)]
  await Promise.all(files.map(async (data, i) => await writeFile(join(dir, `f${i}`), data)))
  const pool = new BufferPool(BLOCK, 2)
  const runs = files.map((data, i) => {
    const reads = new RecycledReads(pool)
    const batches = batchChunks(reads.chunks(Buffer.from(join(dir, `f${i}`)), data.byteLength, createChunker(CHUNKER)), ID_KEY, () => reads.bytesRead)
    return { data, reads, batches, pieces: [] as Buffer[], consumed: 0, done: false }
  })
  // One batch (about 1 MiB) of each in turn; each is used (hashed, copied) only after the other file read on.
  const waiting: Array<ChunkBatch | undefined> = [undefined, undefined]
  while (runs.some((r) => !r.done)) {
    for (const [i, run] of runs.entries()) {
      const previous = waiting[i]
      if (previous !== undefined) {
        previous.chunks.forEach((c, j) => {
          assert.ok(Buffer.from(keyedHash(ID_KEY, c)).equals(previous.ids.subarray(j * ID_LENGTH, (j + 1) * ID_LENGTH)), 'no chunk was overwritten by a later read')
          run.pieces.push(Buffer.from(c))
          run.consumed += c.byteLength
        })
        run.reads.release(run.consumed)
        waiting[i] = undefined
      }
      if (run.done) continue
      const next = await run.batches.next()
      if (next.done === true) run.done = true
      else waiting[i] = next.value
    }
  }
  for (const run of runs) {
    run.reads.releaseAll()
    assert.ok(Buffer.concat(run.pieces).equals(run.data))
  }
})

test('the block being read into is not given back, even when every chunk cut from it so far is consumed', async (t) => {
  const { path, data } = await randomFile(t, 400_000)
  const pool = new BufferPool(BLOCK, 4)
  const reads = new RecycledReads(pool)
  let consumed = 0
  const pieces: Buffer[] = []
  for await (const chunk of reads.chunks(Buffer.from(path), data.byteLength, createChunker(CHUNKER))) {
    pieces.push(Buffer.from(chunk))
    consumed += chunk.byteLength
    reads.release(consumed)
    // The reader stands right after this chunk, in the same block, and reads on into it.
    const taken = pool.take()
    assert.notEqual(taken.buffer, chunk.buffer, 'the pool handed out the block the reader still fills')
    pool.give(taken)
  }
  reads.releaseAll()
  assert.ok(Buffer.concat(pieces).equals(data))
})

test('recycled reads put a small file in a pool block too', async (t) => {
  const dir = await tempDir(t)
  const path = join(dir, 'small')
  await writeFile(path, Buffer.from('a small file'))
  const pool = new BufferPool(BLOCK, 2)
  const block = pool.take()
  pool.give(block)
  const reads = new RecycledReads(pool)
  const chunks: Uint8Array[] = []
  for await (const chunk of reads.chunks(Buffer.from(path), 12, createChunker(CHUNKER))) chunks.push(chunk)
  assert.equal(chunks.length, 1)
  assert.equal(Buffer.from(chunks[0] as Uint8Array).toString(), 'a small file')
  assert.equal((chunks[0] as Uint8Array).buffer, block.buffer, 'read into the pool block, not a fresh buffer')
  assert.equal(pool.spareCount, 0, 'the block is held until its chunk is released')
  reads.release(12)
  assert.equal(pool.spareCount, 1)
})

test('recycled reads refuse a chunker whose chunks could fill a block', async (t) => {
  const dir = await tempDir(t)
  const path = join(dir, 'f')
  await writeFile(path, randomBytes(100))
  const reads = new RecycledReads(new BufferPool(BLOCK, 1))
  const big = createChunker({ minSize: 4096, avgSize: 16 * 1024, maxSize: BLOCK })
  assert.equal(reads.fits(big.maxSize), false)
  await assert.rejects(async () => { for await (const c of reads.chunks(Buffer.from(path), 100, big)) assert.ok(c) }, RangeError)
})

test('an empty file gives no chunk and keeps no block', async (t) => {
  const dir = await tempDir(t)
  const path = join(dir, 'empty')
  await writeFile(path, Buffer.alloc(0))
  const pool = new BufferPool(BLOCK, 2)
  const reads = new RecycledReads(pool)
  const chunks: Uint8Array[] = []
  for await (const chunk of reads.chunks(Buffer.from(path), 0, createChunker(CHUNKER))) chunks.push(chunk)
  assert.equal(chunks.length, 0)
  assert.equal(pool.spareCount, 1)
})

test('a file longer than its stat said is read whole, in full reads past the expected end', async (t) => {
  assert.equal(readLength(BLOCK, 10), 11, 'one byte past the expected end, to see growth')
  assert.equal(readLength(BLOCK, 0), 1)
  assert.equal(readLength(BLOCK, -5), BLOCK, 'once past it, whole reads, not a byte at a time')
  const { path, data } = await randomFile(t, 300_000)
  const reads = new RecycledReads(new BufferPool(BLOCK, 3))
  const pieces: Buffer[] = []
  for await (const chunk of reads.chunks(Buffer.from(path), 1000, createChunker(CHUNKER))) {
    pieces.push(Buffer.from(chunk))
    reads.release(pieces.reduce((n, p) => n + p.byteLength, 0))
  }
  assert.ok(Buffer.concat(pieces).equals(data))
})

test('batchChunks marks the batch that ends its source, and only that one', async () => {
  const chunk = new Uint8Array(300 * 1024).fill(1)
  const source = async function * (n: number): AsyncGenerator<Uint8Array> { for (let i = 0; i < n; i++) yield chunk }
  const lasts = async (n: number): Promise<boolean[]> => {
    const out: boolean[] = []
    for await (const batch of batchChunks(source(n), ID_KEY, () => 0)) out.push(batch.last === true)
    return out
  }
  // 1 MiB batches: 5 chunks of 300 KiB fill one (4 chunks) and end in a second.
  assert.deepEqual(await lasts(5), [false, true])
  assert.deepEqual(await lasts(1), [true], 'a small file is one batch, its last')
})

test('a chooser gets the file\'s first 4096 bytes even when the first read returns one byte (a file listed smaller than it is)', async (t) => {
  const { path, data } = await randomFile(t, 300_000)
  const reads = new RecycledReads(new BufferPool(BLOCK, 3), true)
  const heads: Buffer[] = []
  const lengths: number[] = []
  // Listed with size 0, as a /proc file is: the first read asks for one byte only.
  for await (const chunk of reads.chunks(Buffer.from(path), 0, (head) => { heads.push(Buffer.from(head)); return createChunker(CHUNKER) })) {
    lengths.push(chunk.byteLength)
    reads.release(lengths.reduce((a, b) => a + b, 0))
  }
  reads.releaseAll()
  assert.equal(heads.length, 1, 'chosen once')
  assert.ok((heads[0] as Buffer).equals(data.subarray(0, 4096)))
  assert.deepEqual(lengths, await chunkLengths(data), 'cut as the whole file would be')
})

test('a chooser of a file shorter than 4096 bytes gets all of it; of an empty file, nothing', async (t) => {
  for (const size of [0, 1, 4095]) {
    const { path, data } = await randomFile(t, size)
    const reads = new RecycledReads(new BufferPool(BLOCK, 3), true)
    const heads: Buffer[] = []
    for await (const chunk of reads.chunks(Buffer.from(path), size, (head) => { heads.push(Buffer.from(head)); return createChunker(CHUNKER) })) assert.ok(chunk)
    reads.releaseAll()
    assert.equal(heads.length, 1)
    assert.ok((heads[0] as Buffer).equals(data), `a file of ${size} bytes`)
  }
})
