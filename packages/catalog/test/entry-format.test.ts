import { test } from 'node:test'
import assert from 'node:assert/strict'
import { createPrivateKey, createPublicKey, generateKeyPairSync } from 'node:crypto'
import { hash } from '@resilien/hashing'
import { InvalidInputError, toHex } from '@resilien/types'
import { canonicalJson, createEd25519Signer, ed25519PublicKey, entryBytes, signEntry, validateEntry } from '../src/index.js'
import type { LogEntryBody } from '../src/index.js'

// The format other sites must reproduce byte for byte. Pinned: a change here breaks the cluster.
// The hash was cross-checked with `b3sum` on the bytes.
const body: LogEntryBody = {
  site: '12D3KooWVector',
  seq: 2,
  prev: 'ab'.repeat(32),
  time: 1767225600000,
  fact: { type: 'site-joined', site: '12D3KooWVector', name: 'Zoë "attic" \\ 🏠', zone: 'z', addrs: ['/ip4/10.0.0.1/tcp/4001'], publicKey: 'pk' }
}
const expectedText = 'resilien catalog entry v1\n' +
  '{"fact":{"addrs":["/ip4/10.0.0.1/tcp/4001"],"name":"Zoë \\"attic\\" \\\\ 🏠","publicKey":"pk","site":"12D3KooWVector",' +
  '"type":"site-joined","zone":"z"},"prev":"' + 'ab'.repeat(32) + '","seq":2,"site":"12D3KooWVector","time":1767225600000}'
const expectedHash = '1b4801658e7d8d69ac8d9eadb5f883b215d086d18d59b23316db96d4ec58f011'
const seed = new Uint8Array(32).fill(7)
const expectedSig = '16f6e32a78a145cfa5ce4d79c2340fe09f3adc129e3b3efc648e1f1fc8bda101' +
  '96359e42cfafb2849a57e958486d4e969b9b5115c561a66e6e8b0df86e78c408'

test('an entry hashes the domain line and the canonical JSON of its body, UTF-8, as pinned', () => {
  const bytes = entryBytes(body)
  assert.equal(new TextDecoder().decode(bytes), expectedText)
  assert.equal(toHex(hash(bytes)), expectedHash)
})

test('the signature is Ed25519 over the 32 hash bytes, hex; a seed and its KeyObject sign alike', () => {
  const entry = signEntry(body, createEd25519Signer(body.site, seed))
  assert.equal(entry.hash, expectedHash)
  assert.equal(entry.sig, expectedSig)
  const pkcs8 = Buffer.concat([Buffer.from('302e020100300506032b657004220420', 'hex'), seed])
  const keyObject = createPrivateKey({ key: pkcs8, format: 'der', type: 'pkcs8' })
  assert.equal(signEntry(body, createEd25519Signer(body.site, keyObject)).sig, expectedSig)
  assert.deepEqual(ed25519PublicKey(keyObject), ed25519PublicKey(seed))
  assert.deepEqual(validateEntry(JSON.parse(JSON.stringify(entry)), 'entry'), entry)
})

test('canonical JSON sorts keys at every depth and has one spelling per value', () => {
  assert.equal(canonicalJson({ b: [3, { z: null, a: true }], a: 'x', '': -0 }), '{"":0,"a":"x","b":[3,{"a":true,"z":null}]}')
  assert.equal(canonicalJson('\u0001\u2028é'), '"\\u0001\u2028é"')
  assert.equal(canonicalJson(Number.MAX_SAFE_INTEGER), '9007199254740991')
})

test('canonical JSON refuses what has no single spelling: fractions, huge numbers, NaN, undefined', () => {
  for (const value of [1.5, 2 ** 53, NaN, Infinity, undefined, { a: undefined }, 10n]) {
    assert.throws(() => canonicalJson(value), InvalidInputError)
  }
})

test('signers refuse keys that are not Ed25519 private keys or 32-byte seeds', () => {
  assert.throws(() => createEd25519Signer('x', new Uint8Array(31)), InvalidInputError)
  const privateKey = createPrivateKey({ key: Buffer.concat([Buffer.from('302e020100300506032b657004220420', 'hex'), seed]), format: 'der', type: 'pkcs8' })
  assert.throws(() => createEd25519Signer('x', createPublicKey(privateKey)), InvalidInputError)
  assert.throws(() => createEd25519Signer('x', generateKeyPairSync('x25519').privateKey), InvalidInputError)
})
