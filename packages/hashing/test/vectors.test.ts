import { test } from 'node:test'
import assert from 'node:assert/strict'
import { feed, hex, implementations, vectorInput, vectors } from './helpers.js'

const EXTENDED_LENGTH = 131
const key = new TextEncoder().encode(vectors.key)
const context = vectors.context_string

/** Update sizes around the block (64) and chunk (1024) boundaries, and one odd large size. */
const UPDATE_PATTERNS: ReadonlyArray<readonly number[]> = [
  [1, 63, 64, 65, 1023, 1024, 1025, 5000],
  [1024],
  [7, 4096, 13]
]
/** Byte-by-byte streaming is slow through the checks and WASM calls: done on the shorter cases. */
const BYTE_BY_BYTE_MAX_INPUT = 8193

test('the fixture holds the 22 official cases with 131-byte outputs', () => {
  assert.equal(vectors.cases.length, 22)
  assert.equal(key.byteLength, 32)
  for (const c of vectors.cases) {
    for (const out of [c.hash, c.keyed_hash, c.derive_key]) assert.equal(out.length, 2 * EXTENDED_LENGTH)
  }
})

for (const { name, modes } of await implementations()) {
  test(`${name}: one-shot hash, keyed_hash and derive_key match every test vector, extended and 32-byte`, () => {
    for (const c of vectors.cases) {
      const input = vectorInput(c.input_len)
      const at = `input_len ${c.input_len}`
      assert.equal(hex(modes.hash(input, EXTENDED_LENGTH)), c.hash, `hash ${at}`)
      assert.equal(hex(modes.hash(input, 32)), c.hash.slice(0, 64), `hash 32 ${at}`)
      assert.equal(hex(modes.keyedHash(key, input, EXTENDED_LENGTH)), c.keyed_hash, `keyed_hash ${at}`)
      assert.equal(hex(modes.keyedHash(key, input, 32)), c.keyed_hash.slice(0, 64), `keyed_hash 32 ${at}`)
      assert.equal(hex(modes.deriveKey(context, input, EXTENDED_LENGTH)), c.derive_key, `derive_key ${at}`)
      assert.equal(hex(modes.deriveKey(context, input, 32)), c.derive_key.slice(0, 64), `derive_key 32 ${at}`)
    }
  })

  test(`${name}: streaming in all three modes matches every test vector, whatever the update sizes`, () => {
    const patterns = (length: number): ReadonlyArray<readonly number[]> =>
      length <= BYTE_BY_BYTE_MAX_INPUT ? [...UPDATE_PATTERNS, [1]] : UPDATE_PATTERNS
    for (const c of vectors.cases) {
      const input = vectorInput(c.input_len)
      for (const sizes of patterns(c.input_len)) {
        const at = `input_len ${c.input_len}, updates of ${sizes.join(',')}`
        const plain = modes.createHasher()
        const keyed = modes.createKeyedHasher(key)
        const derived = modes.createDeriveKeyHasher(context)
        feed((piece) => plain.update(piece), input, sizes)
        feed((piece) => keyed.update(piece), input, sizes)
        feed((piece) => derived.update(piece), input, sizes)
        assert.equal(hex(plain.digest(EXTENDED_LENGTH)), c.hash, `hash ${at}`)
        assert.equal(hex(plain.digest()), c.hash.slice(0, 64), `hash 32 ${at}`)
        assert.equal(hex(keyed.digest(EXTENDED_LENGTH)), c.keyed_hash, `keyed_hash ${at}`)
        assert.equal(hex(keyed.digest()), c.keyed_hash.slice(0, 64), `keyed_hash 32 ${at}`)
        assert.equal(hex(derived.digest(EXTENDED_LENGTH)), c.derive_key, `derive_key ${at}`)
        assert.equal(hex(derived.digest()), c.derive_key.slice(0, 64), `derive_key 32 ${at}`)
      }
    }
  })
}
