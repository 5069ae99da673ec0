import { test } from 'node:test'
import assert from 'node:assert/strict'
import { feed, hex, implementations, seededRandom } from './helpers.js'

const SEED = 20240611
const CASES = 120
/** Lengths cluster at chunk boundaries (where tree shapes change) and spread up to ~300 KiB. */
const CHUNK = 1024

function randomBytes (next: () => number, length: number): Uint8Array {
  return Uint8Array.from({ length }, () => Math.floor(next() * 256))
}

function randomLength (next: () => number): number {
  const kind = next()
  if (kind < 0.3) return Math.floor(next() * 2 * CHUNK)
  if (kind < 0.6) return Math.floor(next() * 64) * CHUNK + Math.floor(next() * 3) - 1 + CHUNK
  return Math.floor(next() * 300 * CHUNK)
}

const list = await implementations()
const [reference, ...others] = list

test('the reference and at least one fast backend are both under test', () => {
  assert.ok(reference !== undefined && others.length >= 1)
})

test('every implementation gives identical output on seeded random inputs in all modes, one-shot and streaming', () => {
  const next = seededRandom(SEED)
  for (let i = 0; i < CASES; i++) {
    const data = randomBytes(next, randomLength(next))
    const key = randomBytes(next, 32)
    const context = `resilien cross-check ${i} ${Math.floor(next() * 1e9)}`
    const outLength = next() < 0.5 ? 32 : Math.floor(next() * 200)
    const sizes = Array.from({ length: 5 }, () => 1 + Math.floor(next() * 5000))
    const results = list.map(({ name, modes }) => {
      const plain = modes.createHasher()
      const keyed = modes.createKeyedHasher(key)
      const derived = modes.createDeriveKeyHasher(context)
      feed((piece) => plain.update(piece), data, sizes)
      feed((piece) => keyed.update(piece), data, sizes)
      feed((piece) => derived.update(piece), data, sizes)
      return {
        name,
        digests: [
          modes.hash(data, outLength), modes.keyedHash(key, data, outLength), modes.deriveKey(context, data, outLength),
          plain.digest(outLength), keyed.digest(outLength), derived.digest(outLength)
        ].map(hex)
      }
    })
    const expected = results[0]
    assert.ok(expected !== undefined)
    for (const r of results) {
      assert.deepEqual(r.digests, expected.digests, `case ${i} (${data.byteLength} bytes, out ${outLength}): ${r.name} differs from ${expected.name}`)
    }
  }
})
