import { test } from 'node:test'
import assert from 'node:assert/strict'
import { chunkLengths } from '../src/index.js'
import { randomBytes } from './helpers.js'

/**
 * Cut lengths of randomBytes(4 MiB, seed 40) with the default options and seed. If this test
 * fails, cut points changed: every existing repository would stop deduplicating against new
 * backups. Change these numbers only together with a new, versioned chunker.
 */
const PINNED = [
  73244, 71319, 47772, 47192, 107733, 81364, 84814, 91579, 31614, 69628, 75516, 68644, 91018,
  112580, 110187, 82860, 97091, 230708, 67773, 81319, 87649, 68343, 128097, 74870, 76465, 89352,
  65617, 119435, 105527, 92253, 74582, 109579, 89664, 91660, 63499, 72878, 79623, 123945, 82159,
  75410, 66260, 62698, 82361, 65775, 42244, 100622, 111229, 92720, 67206, 8627
]

test('cut points of a fixed 4 MiB input with the default seed are the pinned ones', () => {
  const data = randomBytes(4 * 1024 * 1024, 40)
  // The input generator itself is pinned too, so a failure points at the chunker.
  assert.deepEqual(Array.from(data.subarray(0, 8)), [165, 60, 167, 163, 157, 211, 7, 209])
  assert.deepEqual(chunkLengths(data), PINNED)
})
