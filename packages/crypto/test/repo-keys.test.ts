import { test } from 'node:test'
import assert from 'node:assert/strict'
import { InvalidInputError, toHex } from '@resilien/types'
import { deriveRepoKeys, generateMasterKey, KEY_LENGTH, REPO_KEY_CONTEXTS } from '../src/index.js'

test('generateMasterKey returns 32 fresh random bytes each call', () => {
  const a = generateMasterKey()
  const b = generateMasterKey()
  assert.equal(a.byteLength, KEY_LENGTH)
  assert.equal(KEY_LENGTH, 32)
  assert.notDeepEqual(a, b)
})

test('deriveRepoKeys is deterministic for one master key', () => {
  const master = generateMasterKey()
  assert.deepEqual(deriveRepoKeys(master), deriveRepoKeys(Uint8Array.from(master)))
})

test('deriveRepoKeys gives four distinct 32-byte keys, none equal to the master', () => {
  const master = generateMasterKey()
  const keys = Object.values(deriveRepoKeys(master))
  assert.equal(keys.length, 4)
  const seen = new Set([toHex(master)])
  for (const key of keys) {
    assert.equal(key.byteLength, KEY_LENGTH)
    seen.add(toHex(key))
  }
  assert.equal(seen.size, 5)
})

test('different master keys give different sub-keys', () => {
  const a = deriveRepoKeys(generateMasterKey())
  const b = deriveRepoKeys(generateMasterKey())
  for (const name of Object.keys(REPO_KEY_CONTEXTS) as Array<keyof typeof REPO_KEY_CONTEXTS>) {
    assert.notDeepEqual(a[name], b[name], name)
  }
})

test('context strings are distinct, dated and versioned', () => {
  const contexts = Object.values(REPO_KEY_CONTEXTS)
  assert.equal(new Set(contexts).size, contexts.length)
  for (const context of contexts) assert.match(context, /^resilien 2026-11 .+ v\d+$/)
})

// Format guard: these values are what every existing repository was keyed with. If this test
// fails, a context string or the derivation changed and old repositories would not open. The
// values come from an independent implementation: `b3sum --derive-key CONTEXT` (b3sum 1.2.0)
// over the bytes 0..31.
test('sub-keys of a fixed master key match the pinned v1 values', () => {
  const master = Uint8Array.from({ length: KEY_LENGTH }, (_, i) => i)
  const keys = deriveRepoKeys(master)
  assert.deepEqual(Object.fromEntries(Object.entries(keys).map(([name, key]) => [name, toHex(key)])), {
    chunkIdKey: '023aea4c049bfce765c251277854e6fa02f9b8bbbaac5aeda510cd8dbf91e7e0',
    dataKey: 'e280d8a55414ff7c4f80b2d569fa057d57732f11be8bc9b5a6376216da69a8ab',
    metadataKey: '643c0280b208ccf909928ea2f1cd2da497dadc7610b093176402f734ad6c1549',
    gearSeed: '39c0da67d13c4ec42d0f9ec3e13189e1373571abc3a0cd71b042e124a77c7cca'
  })
})

test('deriveRepoKeys rejects a master key that is not 32 bytes with InvalidInputError', () => {
  assert.throws(() => deriveRepoKeys(new Uint8Array(31)), InvalidInputError)
  assert.throws(() => deriveRepoKeys(new Uint8Array(64)), InvalidInputError)
})
