import { test } from 'node:test'
import assert from 'node:assert/strict'
import { InvalidInputError } from '@resilien/types'
import { chunkLengths, chunkStream } from '../src/index.js'
import type { ChunkerOptions } from '../src/index.js'
import { collectCopies, prng, randomBytes, randomInt, splitReads } from './helpers.js'

const KiB = 1024
const MiB = 1024 * KiB
const SMALL = { minSize: 512, avgSize: 2 * KiB, maxSize: 8 * KiB }

function concat (parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0))
  let o = 0
  for (const p of parts) { out.set(p, o); o += p.length }
  return out
}

async function assertSameAsWhole (data: Uint8Array, options: ChunkerOptions, nextSize: () => number, label: string): Promise<void> {
  const chunks = await collectCopies(chunkStream(splitReads(data, nextSize), options))
  assert.deepEqual(chunks.map((c) => c.length), chunkLengths(data, options), label)
  assert.ok(Buffer.from(concat(chunks)).equals(data), `${label}: content differs`)
}

test('cut points do not depend on how the input is split into reads (small sizes)', async () => {
  const data = randomBytes(256 * KiB, 20)
  const next = prng(21)
  const around = [SMALL.minSize, SMALL.avgSize, SMALL.maxSize].flatMap((s) => [s - 1, s, s + 1])
  await assertSameAsWhole(data.subarray(0, 96 * KiB), SMALL, () => 1, '1-byte reads')
  await assertSameAsWhole(data.subarray(0, 128 * KiB), SMALL, () => randomInt(next, 1, 7), 'reads of 1..7 bytes')
  await assertSameAsWhole(data, SMALL, () => around[randomInt(next, 0, around.length - 1)] as number, 'reads around min/avg/max')
  await assertSameAsWhole(data, SMALL, () => randomInt(next, 1, 3 * SMALL.maxSize), 'reads up to 3 x maxSize')
  await assertSameAsWhole(data, SMALL, () => data.length, 'one buffer')
})

test('cut points do not depend on how the input is split into reads (default sizes)', async () => {
  const data = randomBytes(12 * MiB, 22)
  const next = prng(23)
  const o = { minSize: 16 * KiB, avgSize: 64 * KiB, maxSize: 512 * KiB }
  const around = [o.minSize, o.avgSize, o.maxSize].flatMap((s) => [s - 1, s, s + 1])
  await assertSameAsWhole(data.subarray(0, 2 * MiB), {}, () => randomInt(next, 1, 64), 'reads of 1..64 bytes')
  await assertSameAsWhole(data, {}, () => around[randomInt(next, 0, around.length - 1)] as number, 'reads around min/avg/max')
  await assertSameAsWhole(data, {}, () => randomInt(next, 1, 3 * MiB), 'reads up to 3 MiB')
  await assertSameAsWhole(data, {}, () => (randomInt(next, 0, 9) === 0 ? randomInt(next, 1, 3) : 64 * KiB), 'mostly 64 KiB, some tiny')
  await assertSameAsWhole(data, {}, () => data.length, 'one huge buffer')
  const zeros = new Uint8Array(3 * MiB)
  await assertSameAsWhole(zeros, {}, () => randomInt(next, 1, MiB), 'zeros, forced cuts at maxSize')
})

test('a source that reuses one buffer for every read still gives the right chunks when each is copied at once', async () => {
  const data = randomBytes(4 * MiB, 24)
  const next = prng(25)
  async function * reusing (): AsyncGenerator<Uint8Array> {
    const buf = new Uint8Array(200 * KiB)
    for (let pos = 0; pos < data.length;) {
      const n = Math.min(data.length - pos, randomInt(next, 1, buf.length))
      buf.set(data.subarray(pos, pos + n))
      yield buf.subarray(0, n)
      buf.fill(0xaa) // what a reusing reader may leave behind
      pos += n
    }
  }
  const chunks = await collectCopies(chunkStream(reusing()))
  assert.deepEqual(chunks.map((c) => c.length), chunkLengths(data))
  assert.ok(Buffer.from(concat(chunks)).equals(data))
})

test('a chunk inside one read is a view of it; a chunk spanning reads is a new buffer of its own size', async () => {
  const data = randomBytes(2 * MiB, 26)
  const reads = [data.subarray(0, MiB + 12345), data.subarray(MiB + 12345)]
  let views = 0
  let assembled = 0
  for await (const c of chunkStream((async function * () { yield * reads })())) {
    if (c.buffer === data.buffer) views++
    else {
      assert.equal(c.byteOffset, 0)
      assert.equal(c.buffer.byteLength, c.length)
      assembled++
    }
  }
  assert.ok(views > 10)
  // The chunk across the boundary and the last chunk, which may have been held back.
  assert.ok(assembled >= 1 && assembled <= 2, `${assembled} assembled`)
})

test('an empty source or empty reads yield nothing; a short input yields one chunk', async () => {
  assert.deepEqual(await collectCopies(chunkStream((async function * () {})())), [])
  assert.deepEqual(await collectCopies(chunkStream(splitReads(new Uint8Array(0), () => 1))), [])
  const empties = (async function * () { yield new Uint8Array(0); yield new Uint8Array(0) })()
  assert.deepEqual(await collectCopies(chunkStream(empties)), [])
  const short = randomBytes(1000, 27)
  const chunks = await collectCopies(chunkStream(splitReads(short, () => 300)))
  assert.equal(chunks.length, 1)
  assert.deepEqual(chunks[0], short)
})

test('bad options throw at the call; a source yielding non-bytes fails with InvalidInputError', async () => {
  assert.throws(() => chunkStream((async function * () {})(), { avgSize: 1000 }), InvalidInputError)
  const strings = (async function * () { yield 'not bytes' as unknown as Uint8Array })()
  await assert.rejects(collectCopies(chunkStream(strings)), InvalidInputError)
})
