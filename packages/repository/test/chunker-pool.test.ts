import { test } from 'node:test'
import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { createChunker } from '@resilien/chunking'
import type { Chunker } from '@resilien/chunking'
import { ChunkerPool } from '../src/chunker-pool.js'

/** The chunk lengths `chunker` cuts `data` into, as one whole stream. */
function cuts (data: Uint8Array, chunker: Chunker): number[] {
  const lengths: number[] = []
  for (let pos = 0; pos < data.length;) {
    const n = chunker.findCut(data, pos, data.length, true)
    if (n <= 0) break
    lengths.push(n)
    pos += n
  }
  return lengths
}

const OPTIONS = { minSize: 4096, avgSize: 16 * 1024, maxSize: 64 * 1024, gearSeed: new Uint8Array(32).fill(9) }

test('a pooled chunker is reused once given back, reset: it cuts a new file as a fresh one does', () => {
  const pool = new ChunkerPool()
  const data = randomBytes(500_000)
  const first = pool.take(OPTIONS)
  // Left in the middle of a chunk, as a cancelled file task leaves it.
  assert.equal(first.findCut(data, 0, 3000, false), -1)
  pool.give(first)
  const again = pool.take(OPTIONS)
  assert.equal(again, first, 'the idle chunker, not a new one')
  assert.deepEqual(cuts(data, again), cuts(data, createChunker(OPTIONS)))
})

test('chunkers in use at once are distinct, and options with another seed get their own', () => {
  const pool = new ChunkerPool()
  const a = pool.take(OPTIONS)
  const b = pool.take(OPTIONS)
  assert.notEqual(a, b)
  pool.give(a)
  const other = pool.take({ ...OPTIONS, gearSeed: new Uint8Array(32).fill(1) })
  assert.notEqual(other, a, 'a chunker with another gear table')
  const data = randomBytes(300_000)
  assert.notDeepEqual(cuts(data, other), cuts(data, createChunker(OPTIONS)))
})
