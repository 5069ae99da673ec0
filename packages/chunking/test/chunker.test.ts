import { test } from 'node:test'
import assert from 'node:assert/strict'
import { InvalidInputError } from '@resilien/types'
import { chunkLengths, createChunker, DEFAULT_CHUNKER_OPTIONS } from '../src/index.js'
import type { ChunkerOptions } from '../src/index.js'
import { prng, randomBytes, randomInt, referenceCutLengths } from './helpers.js'

const KiB = 1024
const MiB = 1024 * KiB
const SMALL = { minSize: 512, avgSize: 2 * KiB, maxSize: 8 * KiB }

function sum (xs: number[]): number {
  return xs.reduce((a, b) => a + b, 0)
}

test('the two-bytes-per-step loop cuts exactly where the one-byte-per-step specification does', () => {
  const data = randomBytes(3 * MiB, 1)
  for (const normalization of [0, 1, 2, 3] as const) {
    // Odd minSize and maxSize change the parity at which the pair loop meets each boundary.
    for (const sizes of [SMALL, { minSize: 513, avgSize: 4 * KiB, maxSize: 9 * KiB + 1 }, { minSize: 64, avgSize: 128, maxSize: 200 }]) {
      const o = { ...sizes, normalization }
      assert.deepEqual(chunkLengths(data, o), referenceCutLengths(data, o), JSON.stringify(o))
    }
  }
  const defaults = { ...DEFAULT_CHUNKER_OPTIONS }
  assert.deepEqual(chunkLengths(data), referenceCutLengths(data, defaults))
})

test('every chunk but the last lies within [minSize, maxSize], on random and on degenerate data', () => {
  const inputs = [randomBytes(4 * MiB, 2), new Uint8Array(3 * MiB), new Uint8Array(3 * MiB).fill(0xff),
    Uint8Array.from({ length: 3 * MiB }, (_, i) => i % 7)]
  for (const data of inputs) {
    for (const o of [{}, SMALL, { ...SMALL, normalization: 0 as const }, { ...SMALL, normalization: 3 as const }]) {
      const c = createChunker(o)
      const lengths = chunkLengths(data, o)
      assert.equal(sum(lengths), data.length)
      for (const n of lengths.slice(0, -1)) assert.ok(n >= c.minSize && n <= c.maxSize, `${n} outside [${c.minSize}, ${c.maxSize}]`)
      assert.ok((lengths.at(-1) as number) <= c.maxSize)
    }
  }
})

test('the mean chunk size on random data is near avgSize (within 25 %)', () => {
  const data = randomBytes(64 * MiB, 3)
  const cases: ChunkerOptions[] = [{}, { minSize: 2 * KiB, avgSize: 8 * KiB, maxSize: 64 * KiB },
    { minSize: 256 * KiB, avgSize: MiB, maxSize: 8 * MiB }]
  for (const o of cases) {
    const avg = o.avgSize ?? DEFAULT_CHUNKER_OPTIONS.avgSize
    const lengths = chunkLengths(data, o)
    const mean = data.length / lengths.length
    assert.ok(Math.abs(mean - avg) <= 0.25 * avg, `mean ${mean} for avgSize ${avg}`)
  }
})

test('normalization narrows the spread of chunk sizes', () => {
  const data = randomBytes(16 * MiB, 4)
  const spread = (normalization: 0 | 1 | 2 | 3): number => {
    const lengths = chunkLengths(data, { minSize: 2 * KiB, avgSize: 16 * KiB, maxSize: 128 * KiB, normalization })
    const mean = sum(lengths) / lengths.length
    return Math.sqrt(sum(lengths.map((n) => (n - mean) ** 2)) / lengths.length) / mean
  }
  const s = [spread(0), spread(1), spread(2), spread(3)]
  for (let l = 1; l < s.length; l++) assert.ok((s[l] as number) < (s[l - 1] as number), `relative spread by level: ${s.join(', ')}`)
})

test('empty input yields no chunk; input of at most minSize bytes yields one', () => {
  assert.deepEqual(chunkLengths(new Uint8Array(0)), [])
  assert.deepEqual(chunkLengths(randomBytes(1, 5)), [1])
  assert.deepEqual(chunkLengths(randomBytes(DEFAULT_CHUNKER_OPTIONS.minSize - 1, 5)), [DEFAULT_CHUNKER_OPTIONS.minSize - 1])
  assert.deepEqual(chunkLengths(randomBytes(DEFAULT_CHUNKER_OPTIONS.minSize, 5)), [DEFAULT_CHUNKER_OPTIONS.minSize])
})

test('a different gear seed moves the cut points; the same seed keeps them', () => {
  const data = randomBytes(4 * MiB, 6)
  const seedA = new Uint8Array(32).fill(7)
  const seedB = seedA.slice()
  seedB[31] = 6
  const a = chunkLengths(data, { gearSeed: seedA })
  assert.deepEqual(chunkLengths(data, { gearSeed: seedA.slice() }), a)
  const b = chunkLengths(data, { gearSeed: seedB })
  const def = chunkLengths(data)
  for (const other of [b, def]) {
    const cutsA = new Set(a.map((_, i) => sum(a.slice(0, i + 1))))
    const shared = other.filter((_, i) => cutsA.has(sum(other.slice(0, i + 1))))
    // Only the end of the data may be a common cut, plus rare coincidences.
    assert.ok(shared.length <= 2, `${shared.length} of ${other.length} cuts shared`)
  }
})

test('findCut keeps the pending chunk across calls and resumes it wherever the input was split', () => {
  const data = randomBytes(2 * MiB, 7)
  const expected = chunkLengths(data, SMALL)
  const next = prng(8)
  const chunker = createChunker(SMALL)
  const got: number[] = []
  let pos = 0
  while (pos < data.length) {
    const end = Math.min(data.length, pos + randomInt(next, 1, 3000))
    let start = pos
    for (;;) {
      const before = chunker.pending
      const n = chunker.findCut(data, start, end, false)
      if (n < 0) {
        assert.equal(chunker.pending, before + end - start)
        break
      }
      got.push(before + n)
      assert.equal(chunker.pending, 0)
      start += n
    }
    pos = end
  }
  const last = chunker.pending
  assert.equal(chunker.findCut(data, data.length, data.length, true), last > 0 ? 0 : -1)
  if (last > 0) got.push(last)
  assert.deepEqual(got, expected)
})

test('findCut with final returns -1 only when no byte is left, and reset forgets the pending chunk', () => {
  const c = createChunker(SMALL)
  const data = randomBytes(100, 9)
  assert.equal(c.findCut(data, 0, 0, true), -1)
  assert.equal(c.findCut(data, 0, 100, false), -1)
  assert.equal(c.pending, 100)
  assert.equal(c.findCut(data, 100, 100, true), 0)
  assert.equal(c.pending, 0)
  assert.equal(c.findCut(data, 0, 100, false), -1)
  c.reset()
  assert.equal(c.pending, 0)
  assert.equal(c.findCut(data, 10, 30, true), 20)
})

test('findCut rejects bad ranges and non-byte buffers with InvalidInputError', () => {
  const c = createChunker()
  const data = new Uint8Array(10)
  for (const [s, e] of [[-1, 5], [6, 5], [0, 11], [0.5, 5], [0, Number.NaN]] as Array<[number, number]>) {
    assert.throws(() => c.findCut(data, s, e, false), InvalidInputError, `${s}..${e}`)
  }
  assert.throws(() => c.findCut([1, 2, 3] as unknown as Uint8Array, 0, 3, true), InvalidInputError)
})

test('bad options are rejected with InvalidInputError', () => {
  const bad: unknown[] = [
    { minSize: 64 * KiB },
    { minSize: 16 * KiB, avgSize: 16 * KiB },
    { maxSize: 64 * KiB },
    { avgSize: 48 * KiB },
    { minSize: 32 },
    { maxSize: 128 * MiB },
    { minSize: 1000.5 },
    { avgSize: Number.NaN },
    { minSize: '16384' },
    { normalization: 4 },
    { normalization: -1 },
    { normalization: 1.5 },
    { gearSeed: new Uint8Array(31) },
    { gearSeed: new Uint8Array(33) },
    { gearSeed: 'x'.repeat(32) },
    null
  ]
  for (const o of bad) {
    assert.throws(() => createChunker(o as ChunkerOptions), InvalidInputError, JSON.stringify(o))
    assert.throws(() => chunkLengths(new Uint8Array(1), o as ChunkerOptions), InvalidInputError)
  }
})

test('defaults are 16 KiB / 64 KiB / 512 KiB with normalization level 2, and the largest sizes work', () => {
  const c = createChunker()
  assert.deepEqual([c.minSize, c.avgSize, c.maxSize, c.normalization], [16 * KiB, 64 * KiB, 512 * KiB, 2])
  // 8 MiB average with level 3 needs 26 mask bits of the 31 usable ones.
  const big = { minSize: 2 * MiB, avgSize: 8 * MiB, maxSize: 64 * MiB, normalization: 3 as const }
  const data = randomBytes(3 * MiB, 10)
  assert.deepEqual(chunkLengths(data, big), referenceCutLengths(data, big))
})

test('chunkers with different seeds used in turn cut as each does alone (they share the scan table)', () => {
  const data = randomBytes(2 * MiB, 11)
  const seeds = [new Uint8Array(32).fill(1), new Uint8Array(32).fill(2)]
  const next = prng(12)
  const streams = seeds.map((gearSeed) => ({ chunker: createChunker({ ...SMALL, gearSeed }), pos: 0, lengths: [] as number[] }))
  while (streams.some((s) => s.pos < data.length)) {
    for (const s of streams) {
      if (s.pos >= data.length) continue
      const end = Math.min(data.length, s.pos + randomInt(next, 1, 5000))
      const before = s.chunker.pending
      const n = s.chunker.findCut(data, s.pos, end, end === data.length)
      if (n < 0) {
        s.pos = end
      } else {
        s.lengths.push(before + n)
        s.pos += n
      }
    }
  }
  streams.forEach((s, k) => assert.deepEqual(s.lengths, referenceCutLengths(data, { ...SMALL, normalization: 2, gearSeed: seeds[k] })))
})
