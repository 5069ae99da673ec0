import { test } from 'node:test'
import assert from 'node:assert/strict'
import { hex, implementations, seededRandom } from './helpers.js'

const list = await implementations()

for (const { name, modes } of list) {
  test(`${name}: digest does not end a hasher; later updates extend the same input`, () => {
    const data = Uint8Array.from({ length: 5000 }, (_, i) => i % 199)
    const h = modes.createHasher().update(data.subarray(0, 2000))
    assert.equal(hex(h.digest()), hex(modes.hash(data.subarray(0, 2000), 32)))
    h.update(data.subarray(2000))
    assert.equal(hex(h.digest(100)), hex(modes.hash(data, 100)))
    assert.equal(hex(h.digest()), hex(modes.hash(data, 32)))
  })

  test(`${name}: interleaved hashers keep their own state`, () => {
    const next = seededRandom(7)
    const key = Uint8Array.from({ length: 32 }, (_, i) => i * 3)
    const input = (length: number): Uint8Array => Uint8Array.from({ length }, () => Math.floor(next() * 256))
    const streams = [
      { hasher: modes.createHasher(), data: input(20000), outLength: 40, expected: (d: Uint8Array) => modes.hash(d, 40) },
      { hasher: modes.createKeyedHasher(key), data: input(20777), outLength: 32, expected: (d: Uint8Array) => modes.keyedHash(key, d, 32) },
      { hasher: modes.createDeriveKeyHasher('ctx a'), data: input(21554), outLength: 77, expected: (d: Uint8Array) => modes.deriveKey('ctx a', d, 77) },
      { hasher: modes.createHasher(), data: input(22331), outLength: 32, expected: (d: Uint8Array) => modes.hash(d, 32) }
    ].map((s) => ({ ...s, offset: 0 }))
    for (let step = 0; step < 200; step++) {
      const s = streams[Math.floor(next() * streams.length)]
      assert.ok(s !== undefined)
      const end = Math.min(s.data.byteLength, s.offset + Math.floor(next() * 900))
      s.hasher.update(s.data.subarray(s.offset, end))
      s.offset = end
      // One-shot calls in between must not disturb the streams either.
      if (step % 50 === 0) modes.keyedHash(key, s.data, 64)
    }
    for (const s of streams) {
      s.hasher.update(s.data.subarray(s.offset))
      assert.equal(hex(s.hasher.digest(s.outLength)), hex(s.expected(s.data)))
    }
  })

  test(`${name}: a hasher promised digests of at most 32 bytes streams the same bytes and refuses longer ones`, () => {
    const next = seededRandom(11)
    const data = Uint8Array.from({ length: 300_000 }, () => Math.floor(next() * 256))
    const key = Uint8Array.from({ length: 32 }, (_, i) => 255 - i)
    const plain = modes.createHasher({ maxOutLength: 32 })
    const keyed = modes.createKeyedHasher(key, { maxOutLength: 32 })
    for (let at = 0; at < data.byteLength; at += 65_537) {
      plain.update(data.subarray(at, at + 65_537))
      keyed.update(data.subarray(at, at + 65_537))
    }
    assert.equal(hex(plain.digest()), hex(modes.hash(data, 32)))
    assert.equal(hex(plain.digest(7)), hex(modes.hash(data, 7)))
    assert.equal(hex(keyed.digest()), hex(modes.keyedHash(key, data, 32)))
    // Only the public face (a backend) checks the promise; the implementations beneath it trust it.
    if ('name' in modes) assert.throws(() => plain.digest(33), /at most 32 bytes/)
  })

  test(`${name}: a buffer changed after update does not change the digest`, () => {
    const buffer = new Uint8Array(3000).fill(5)
    const h = modes.createHasher().update(buffer)
    buffer.fill(6)
    assert.equal(hex(h.digest()), hex(modes.hash(new Uint8Array(3000).fill(5), 32)))
  })

  test(`${name}: a key changed after createKeyedHasher does not change the digest`, () => {
    const key = new Uint8Array(32).fill(9)
    const h = modes.createKeyedHasher(key)
    key.fill(10)
    assert.equal(hex(h.update(new Uint8Array(10)).digest()), hex(modes.keyedHash(new Uint8Array(32).fill(9), new Uint8Array(10), 32)))
  })

  test(`${name}: keyedHash follows a key changed in place between calls`, () => {
    const key = new Uint8Array(32).fill(1)
    const data = new Uint8Array(70000).fill(2)
    const first = hex(modes.keyedHash(key, data, 32))
    key[31] = 2
    const second = hex(modes.keyedHash(key, data, 32))
    key[31] = 1
    assert.notEqual(first, second)
    assert.equal(hex(modes.keyedHash(key, data, 32)), first)
    assert.equal(second, hex(modes.createKeyedHasher(Uint8Array.from(key, (b, i) => i === 31 ? 2 : b)).update(data).digest()))
  })

  test(`${name}: shorter outputs are prefixes of longer ones, down to zero bytes`, () => {
    const data = new Uint8Array(2049).fill(1)
    const long = hex(modes.hash(data, 300))
    for (const n of [0, 1, 31, 32, 33, 64, 65, 299]) {
      assert.equal(hex(modes.hash(data, n)), long.slice(0, 2 * n))
      assert.equal(modes.hash(data, n).byteLength, n)
    }
  })

  test(`${name}: the three modes give different outputs for the same bytes`, () => {
    const data = new Uint8Array(100)
    const outputs = new Set([hex(modes.hash(data, 32)), hex(modes.keyedHash(new Uint8Array(32), data, 32)), hex(modes.deriveKey('', data, 32))])
    assert.equal(outputs.size, 3)
  })
}
