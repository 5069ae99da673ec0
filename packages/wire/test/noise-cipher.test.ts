import '@resilien/polyfill'
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { defaultCrypto } from '@chainsafe/libp2p-noise/crypto'
import { Uint8ArrayList } from 'uint8arraylist'
import { leanNoiseCrypto } from '../src/noise-cipher.js'

const key = randomBytes(32)
const nonce = new Uint8Array(12).fill(7)
const ad = Buffer.from('associated data')

function bytesOf (out: Uint8Array | Uint8ArrayList): Uint8Array {
  return out instanceof Uint8Array ? out : out.subarray()
}

test('the lean cipher puts the same bytes on the wire as Noise\'s default, and they open', () => {
  // A tiny message (the WASM path), one just above it, a full Noise message.
  for (const size of [0, 15, 1199, 1200, 4096, 65519]) {
    const plain = randomBytes(size)
    const lean = bytesOf(leanNoiseCrypto.chaCha20Poly1305Encrypt(plain, nonce, ad, key))
    const usual = bytesOf(defaultCrypto.chaCha20Poly1305Encrypt(plain, nonce, ad, key))
    assert.deepEqual(Buffer.from(lean), Buffer.from(usual), `ciphertext of ${size} bytes`)
    const opened = bytesOf(defaultCrypto.chaCha20Poly1305Decrypt(lean, nonce, ad, key))
    assert.deepEqual(Buffer.from(opened), plain)
  }
})

test('a message handed over in pieces encrypts as the joined message, without joining it', () => {
  const pieces = [randomBytes(12), randomBytes(30_000), randomBytes(35_000)]
  const joined = Buffer.concat(pieces)
  const lean = leanNoiseCrypto.chaCha20Poly1305Encrypt(new Uint8ArrayList(...pieces), nonce, ad, key)
  assert.ok(lean instanceof Uint8ArrayList, 'large messages come back as a list (no concatenated copy)')
  const usual = bytesOf(defaultCrypto.chaCha20Poly1305Encrypt(joined, nonce, ad, key))
  assert.deepEqual(Buffer.from(lean.subarray()), Buffer.from(usual))
})

test('a changed byte, tag or associated data does not open', () => {
  const plain = randomBytes(5000)
  const sealed = Buffer.from(bytesOf(leanNoiseCrypto.chaCha20Poly1305Encrypt(plain, nonce, ad, key)))
  for (const at of [0, 2500, sealed.length - 1]) {
    const bad = Buffer.from(sealed)
    bad[at] = (bad[at] as number) ^ 1
    assert.throws(() => leanNoiseCrypto.chaCha20Poly1305Decrypt(bad, nonce, ad, key))
  }
  assert.throws(() => leanNoiseCrypto.chaCha20Poly1305Decrypt(sealed, nonce, Buffer.from('other'), key))
})
