import { test } from 'node:test'
import assert from 'node:assert/strict'
import { hash } from '@resilien/hashing'
import { fromHex, IntegrityError, InvalidInputError, WrongPassphraseError } from '@resilien/types'
import {
  checkKdfParams, DEFAULT_KDF_PARAMS, generateMasterKey, KDF_LIMITS, TEST_KDF_PARAMS, unwrapMasterKey,
  WRAPPED_KEY_LENGTH, wrapMasterKey
} from '../src/index.js'
import type { KdfParams } from '../src/index.js'

// The v1 layout, written out again here so that a change of the format fails a test.
const LOG_N_OFFSET = 6
const R_OFFSET = 7
const P_OFFSET = 11
const SEALED_OFFSET = 79
const CHECKSUM_LENGTH = 32

/** Applies `edit` to a copy of the blob and recomputes its checksum, as a crafted blob would. */
function craft (blob: Uint8Array, edit: (copy: Uint8Array, view: DataView) => void): Uint8Array {
  const copy = Uint8Array.from(blob)
  edit(copy, new DataView(copy.buffer))
  const bodyEnd = copy.byteLength - CHECKSUM_LENGTH
  copy.set(hash(copy.subarray(0, bodyEnd), CHECKSUM_LENGTH), bodyEnd)
  return copy
}

const master = generateMasterKey()
const passphrase = 'correct horse battery staple'
const blob = await wrapMasterKey(master, passphrase, TEST_KDF_PARAMS)

test('a wrapped key has the v1 length and unwraps to the master key', async () => {
  assert.equal(blob.byteLength, WRAPPED_KEY_LENGTH)
  assert.equal(WRAPPED_KEY_LENGTH, 171)
  assert.deepEqual(await unwrapMasterKey(blob, passphrase), master)
})

test('wrapping with the default parameters round-trips (maxmem fits 128 MiB scrypt)', async () => {
  const wrapped = await wrapMasterKey(master, passphrase)
  assert.deepEqual(await unwrapMasterKey(wrapped, passphrase), master)
})

// Format guard: a v1 blob written once (TEST params, master = bytes 255..224) must open forever.
test('a pinned v1 blob still unwraps to its master key', async () => {
  const pinned = fromHex(
    '5253574b01010a0000000800000001cd5115a8c1ab4ecbd1f39a98180a24c0a4f55a027d7548259114690f5e4d0e7753' +
    'c1d069cfe58143eccddecb194962c506f6762238ad0f78123464a2089ff73306a90b0a5c72ef64ada49c8081a0b2ecf5' +
    '6763a7008659f2cc3aa3fdc3dcf39a4c792f8111e2fe4798216ef88501fb452fa63c2fcd9b868f8fb6f02a8c6f82ea83' +
    'd83a480c2136f5f8dbf5a45352d8839bf5d646d5cc66f1f29d0e2c')
  const expected = Uint8Array.from({ length: 32 }, (_, i) => 255 - i)
  assert.deepEqual(Uint8Array.from(await unwrapMasterKey(pinned, 'r\u00e9silience v1 pinned')), expected)
  await assert.rejects(unwrapMasterKey(pinned, 'resilience v1 pinned'), WrongPassphraseError)
})

test('two passphrases give two blobs that unwrap to the same master key', async () => {
  const other = await wrapMasterKey(master, 'a second passphrase for the treasurer', TEST_KDF_PARAMS)
  assert.notDeepEqual(other, blob)
  assert.deepEqual(await unwrapMasterKey(other, 'a second passphrase for the treasurer'), master)
  assert.deepEqual(await unwrapMasterKey(blob, passphrase), master)
  await assert.rejects(unwrapMasterKey(other, passphrase), WrongPassphraseError)
})

test('wrapping the same key with the same passphrase twice gives unrelated blobs', async () => {
  const again = await wrapMasterKey(master, passphrase, TEST_KDF_PARAMS)
  assert.notDeepEqual(again.subarray(0, SEALED_OFFSET), blob.subarray(0, SEALED_OFFSET))
})

test('a wrong passphrase fails with WrongPassphraseError', async () => {
  await assert.rejects(unwrapMasterKey(blob, 'correct horse battery stapler'), WrongPassphraseError)
  await assert.rejects(unwrapMasterKey(blob, ''), WrongPassphraseError)
})

test('the passphrase is NFC-normalized: composed and decomposed accents open the same blob', async () => {
  const composed = 'caf\u00e9 cr\u00e8me'
  const decomposed = 'cafe\u0301 cre\u0300me'
  assert.notEqual(composed, decomposed)
  const wrapped = await wrapMasterKey(master, decomposed, TEST_KDF_PARAMS)
  assert.deepEqual(await unwrapMasterKey(wrapped, composed), master)
})

test('every single flipped bit of a wrapped key fails with IntegrityError', async () => {
  for (let bit = 0; bit < blob.byteLength * 8; bit++) {
    const flipped = Uint8Array.from(blob)
    flipped[bit >> 3] = (flipped[bit >> 3] as number) ^ (1 << (bit & 7))
    await assert.rejects(unwrapMasterKey(flipped, passphrase), IntegrityError, `bit ${bit}`)
  }
})

test('a truncated, extended or empty wrapped key fails with IntegrityError', async () => {
  await assert.rejects(unwrapMasterKey(blob.subarray(0, blob.byteLength - 1), passphrase), IntegrityError)
  await assert.rejects(unwrapMasterKey(blob.subarray(1), passphrase), IntegrityError)
  await assert.rejects(unwrapMasterKey(Uint8Array.of(...blob, 0), passphrase), IntegrityError)
  await assert.rejects(unwrapMasterKey(new Uint8Array(0), passphrase), IntegrityError)
})

test('a changed sealed master key behind a valid checksum and check value fails with IntegrityError', async () => {
  for (const offset of [SEALED_OFFSET, SEALED_OFFSET + 20, WRAPPED_KEY_LENGTH - CHECKSUM_LENGTH - 1]) {
    const tampered = craft(blob, (copy) => { copy[offset] = (copy[offset] as number) ^ 1 })
    await assert.rejects(unwrapMasterKey(tampered, passphrase), IntegrityError, `offset ${offset}`)
  }
})

test('a changed salt or check value behind a valid checksum reads as a wrong passphrase', async () => {
  await assert.rejects(unwrapMasterKey(craft(blob, (copy) => { copy[20] = (copy[20] as number) ^ 1 }), passphrase), WrongPassphraseError)
  await assert.rejects(unwrapMasterKey(craft(blob, (copy) => { copy[50] = (copy[50] as number) ^ 1 }), passphrase), WrongPassphraseError)
})

test('bad magic, unknown version, unknown KDF or wrong length behind a valid checksum fail with InvalidInputError', async () => {
  await assert.rejects(unwrapMasterKey(craft(blob, (copy) => { copy[0] = 0x58 }), passphrase), InvalidInputError)
  await assert.rejects(unwrapMasterKey(craft(blob, (copy) => { copy[4] = 2 }), passphrase), InvalidInputError)
  await assert.rejects(unwrapMasterKey(craft(blob, (copy) => { copy[5] = 2 }), passphrase), InvalidInputError)
  const longer = craft(Uint8Array.of(...blob, 0), () => {})
  await assert.rejects(unwrapMasterKey(longer, passphrase), InvalidInputError)
})

// Each of these would take minutes or gigabytes if the KDF ran; the timeout makes that a failure.
const outOfBounds: Array<[string, number, number, number]> = [
  ['logN below the minimum', 9, 8, 1],
  ['logN above the maximum', 40, 8, 1],
  ['logN 255', 255, 8, 1],
  ['r = 0', 10, 0, 1],
  ['r = 2^32 - 1', 16, 0xffffffff, 1],
  ['p = 0', 10, 8, 0],
  ['p = 2^31', 16, 8, 2 ** 31],
  ['1 GiB of memory', 20, 8, 1],
  ['4 GiB of memory', 20, 32, 16],
  ['16 times the default work', 17, 8, 16]
]
for (const [what, logN, r, p] of outOfBounds) {
  test(`a crafted blob asking for ${what} fails with InvalidInputError without running the KDF`, { timeout: 2000 }, async () => {
    const crafted = craft(blob, (_, view) => {
      view.setUint8(LOG_N_OFFSET, logN)
      view.setUint32(R_OFFSET, r)
      view.setUint32(P_OFFSET, p)
    })
    await assert.rejects(unwrapMasterKey(crafted, passphrase), InvalidInputError)
  })
}

test('the KDF limits accept the defaults, the test parameters and room above the defaults', () => {
  const accepted: KdfParams[] = [DEFAULT_KDF_PARAMS, TEST_KDF_PARAMS,
    { kdf: 'scrypt', logN: 18, r: 8, p: 1 }, { kdf: 'scrypt', logN: 17, r: 8, p: 8 }]
  for (const params of accepted) assert.doesNotThrow(() => checkKdfParams(params), JSON.stringify(params))
  // 64 MiB of memory (fits the node's 150 MiB budget), with the work of N = 2^17, p = 1.
  assert.equal(128 * 2 ** DEFAULT_KDF_PARAMS.logN * DEFAULT_KDF_PARAMS.r, 64 * 1024 * 1024)
  assert.equal(2 ** DEFAULT_KDF_PARAMS.logN * DEFAULT_KDF_PARAMS.p, 2 ** 17)
  assert.ok(128 * 2 ** 18 * 8 <= KDF_LIMITS.maxMemoryBytes)
})

test('wrapMasterKey rejects bad parameters, keys and passphrases with InvalidInputError', async () => {
  await assert.rejects(wrapMasterKey(master, passphrase, { kdf: 'scrypt', logN: 21, r: 8, p: 1 }), InvalidInputError)
  await assert.rejects(wrapMasterKey(master, passphrase, { kdf: 'scrypt', logN: 10, r: 1.5, p: 1 }), InvalidInputError)
  await assert.rejects(wrapMasterKey(master.subarray(1), passphrase, TEST_KDF_PARAMS), InvalidInputError)
  await assert.rejects(wrapMasterKey(master, '', TEST_KDF_PARAMS), InvalidInputError)
})
