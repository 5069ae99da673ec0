import { test } from 'node:test'
import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { IntegrityError, InvalidInputError } from '@resilien/types'
import { generateMasterKey, NONCE_LENGTH, openChunk, SEAL_OVERHEAD, sealChunk, sealChunkInto, TAG_LENGTH } from '../src/index.js'

const KiB = 1024
const key = generateMasterKey()
const aad = new TextEncoder().encode('chunk 5f1e...')

function flipBit (bytes: Uint8Array, bit: number): Uint8Array {
  const copy = Uint8Array.from(bytes)
  copy[bit >> 3] = (copy[bit >> 3] as number) ^ (1 << (bit & 7))
  return copy
}

test('SEAL_OVERHEAD is a 12-byte nonce plus a 16-byte tag', () => {
  assert.equal(SEAL_OVERHEAD, 28)
  assert.equal(NONCE_LENGTH + TAG_LENGTH, SEAL_OVERHEAD)
})

for (const size of [0, 1, 64 * KiB, 512 * KiB]) {
  test(`seal then open returns the plaintext for ${size} bytes, with and without aad`, () => {
    const plaintext = randomBytes(size)
    const sealed = sealChunk(key, plaintext)
    assert.equal(sealed.byteLength, size + SEAL_OVERHEAD)
    assert.deepEqual(openChunk(key, sealed), plaintext)
    const bound = sealChunk(key, plaintext, aad)
    assert.deepEqual(openChunk(key, bound, aad), plaintext)
  })
}

test('the ciphertext does not contain the plaintext', () => {
  const plaintext = new Uint8Array(4 * KiB).fill(0x41)
  const body = sealChunk(key, plaintext).subarray(NONCE_LENGTH, NONCE_LENGTH + plaintext.byteLength)
  assert.ok(body.filter((b) => b === 0x41).length < plaintext.byteLength / 16)
})

test('sealing the same plaintext twice gives different nonces and ciphertexts', () => {
  const plaintext = randomBytes(KiB)
  const nonces = new Set<string>()
  let previous = sealChunk(key, plaintext)
  for (let i = 0; i < 1000; i++) {
    const sealed = sealChunk(key, plaintext)
    assert.notDeepEqual(sealed, previous)
    nonces.add(Buffer.from(sealed.subarray(0, NONCE_LENGTH)).toString('hex'))
    previous = sealed
  }
  assert.equal(nonces.size, 1000)
})

test('every single flipped bit of a small sealed object fails with IntegrityError', () => {
  const sealed = sealChunk(key, randomBytes(100), aad)
  for (let bit = 0; bit < sealed.byteLength * 8; bit++) {
    assert.throws(() => openChunk(key, flipBit(sealed, bit), aad), IntegrityError, `bit ${bit}`)
  }
})

test('flipped bits in the nonce, ciphertext and tag of a 64 KiB chunk fail with IntegrityError', () => {
  const sealed = sealChunk(key, randomBytes(64 * KiB), aad)
  const lastBit = sealed.byteLength * 8 - 1
  const bits = [0, NONCE_LENGTH * 8 - 1, NONCE_LENGTH * 8, 100_000, 300_000, lastBit - TAG_LENGTH * 8, lastBit - TAG_LENGTH * 8 + 1, lastBit]
  for (const bit of bits) {
    assert.throws(() => openChunk(key, flipBit(sealed, bit), aad), IntegrityError, `bit ${bit}`)
  }
})

test('truncated or extended sealed objects fail with IntegrityError', () => {
  const sealed = sealChunk(key, randomBytes(KiB))
  assert.throws(() => openChunk(key, sealed.subarray(0, sealed.byteLength - 1)), IntegrityError)
  assert.throws(() => openChunk(key, sealed.subarray(1)), IntegrityError)
  assert.throws(() => openChunk(key, Buffer.concat([sealed, Uint8Array.of(0)])), IntegrityError)
  for (let length = 0; length < SEAL_OVERHEAD; length++) {
    assert.throws(() => openChunk(key, sealed.subarray(0, length)), IntegrityError, `length ${length}`)
  }
  const empty = sealChunk(key, new Uint8Array(0))
  assert.throws(() => openChunk(key, empty.subarray(0, SEAL_OVERHEAD - 1)), IntegrityError)
})

test('a different aad, a missing aad or an added aad fails with IntegrityError', () => {
  const plaintext = randomBytes(KiB)
  const bound = sealChunk(key, plaintext, aad)
  assert.throws(() => openChunk(key, bound, flipBit(aad, 3)), IntegrityError)
  assert.throws(() => openChunk(key, bound), IntegrityError)
  assert.throws(() => openChunk(key, sealChunk(key, plaintext), aad), IntegrityError)
})

test('two sealed objects swapped between ids fail to open under each other\'s aad', () => {
  const idA = new TextEncoder().encode('chunk a')
  const idB = new TextEncoder().encode('chunk b')
  const sealedA = sealChunk(key, randomBytes(KiB), idA)
  assert.throws(() => openChunk(key, sealedA, idB), IntegrityError)
})

test('opening with a different key fails with IntegrityError', () => {
  const sealed = sealChunk(key, randomBytes(KiB), aad)
  assert.throws(() => openChunk(generateMasterKey(), sealed, aad), IntegrityError)
})

test('keys that are not 32 bytes are rejected with InvalidInputError', () => {
  const sealed = sealChunk(key, randomBytes(10))
  assert.throws(() => sealChunk(key.subarray(1), randomBytes(10)), InvalidInputError)
  assert.throws(() => openChunk(randomBytes(33), sealed), InvalidInputError)
})

test('sealChunkInto writes at the offset, touches nothing else, and opens from a view', () => {
  const plaintext = randomBytes(5000)
  const out = new Uint8Array(10_000).fill(0xee)
  const offset = 123
  const written = sealChunkInto(key, plaintext, out, offset, aad)
  assert.equal(written, plaintext.byteLength + SEAL_OVERHEAD)
  assert.ok(out.subarray(0, offset).every((b) => b === 0xee))
  assert.ok(out.subarray(offset + written).every((b) => b === 0xee))
  assert.deepEqual(openChunk(key, out.subarray(offset, offset + written), aad), plaintext)
})

test('sealChunkInto refuses an output that is too small or a bad offset with InvalidInputError', () => {
  const plaintext = randomBytes(100)
  assert.throws(() => sealChunkInto(key, plaintext, new Uint8Array(127), 0), InvalidInputError)
  assert.throws(() => sealChunkInto(key, plaintext, new Uint8Array(200), 73), InvalidInputError)
  assert.throws(() => sealChunkInto(key, plaintext, new Uint8Array(200), -1), InvalidInputError)
  assert.throws(() => sealChunkInto(key, plaintext, new Uint8Array(200), 0.5), InvalidInputError)
  assert.equal(sealChunkInto(key, plaintext, new Uint8Array(200), 72), 128)
})

test('sealChunkInto refuses to seal in place over its own plaintext with InvalidInputError', () => {
  const buffer = randomBytes(1000)
  assert.throws(() => sealChunkInto(key, buffer.subarray(100, 200), buffer, 0), InvalidInputError)
  assert.throws(() => sealChunkInto(key, buffer.subarray(100, 200), buffer, 199), InvalidInputError)
  const plaintext = Buffer.from(buffer.subarray(100, 200))
  assert.equal(sealChunkInto(key, buffer.subarray(100, 200), buffer, 200), 128)
  assert.deepEqual(openChunk(key, buffer.subarray(200, 328)), plaintext)
})
