import { test } from 'node:test'
import assert from 'node:assert/strict'
import { InvalidInputError } from '@resilien/types'
import * as hashing from '../src/index.js'

type Api = Omit<hashing.Blake3Backend, 'name'>
const targets: Array<{ label: string, target: Api }> = [{ label: 'module functions', target: hashing }]
for (const name of await hashing.availableBackends()) {
  const backend = await hashing.loadBackend(name)
  if (backend !== undefined) targets.push({ label: `${name} backend`, target: backend })
}

for (const { label, target } of targets) {

  test(`${label}: a key that is not 32 bytes is an InvalidInputError, before anything is hashed`, () => {
    for (const length of [0, 16, 31, 33, 64]) {
      const key = new Uint8Array(length)
      assert.throws(() => target.keyedHash(key, new Uint8Array(10)), InvalidInputError)
      assert.throws(() => target.createKeyedHasher(key), InvalidInputError)
    }
  })

  test(`${label}: an output length that is negative, fractional or huge is an InvalidInputError`, () => {
    for (const outLength of [-1, 1.5, Number.NaN, hashing.MAX_OUT_LENGTH + 1]) {
      assert.throws(() => target.hash(new Uint8Array(1), outLength), InvalidInputError)
      assert.throws(() => target.keyedHash(new Uint8Array(32), new Uint8Array(1), outLength), InvalidInputError)
      assert.throws(() => target.deriveKey('ctx', new Uint8Array(1), outLength), InvalidInputError)
      assert.throws(() => target.createHasher().digest(outLength), InvalidInputError)
    }
  })

  test(`${label}: data that is not a Uint8Array is an InvalidInputError`, () => {
    const notBytes = 'text' as unknown as Uint8Array
    assert.throws(() => target.hash(notBytes), InvalidInputError)
    assert.throws(() => target.keyedHash(new Uint8Array(32), notBytes), InvalidInputError)
    assert.throws(() => target.deriveKey('ctx', notBytes), InvalidInputError)
    assert.throws(() => target.createHasher().update(notBytes), InvalidInputError)
    assert.throws(() => target.deriveKey(42 as unknown as string, new Uint8Array(1)), InvalidInputError)
  })
}

test('loadBackend rejects a name that is not a backend', async () => {
  await assert.rejects(hashing.loadBackend('gpu' as hashing.Blake3BackendName), InvalidInputError)
})
