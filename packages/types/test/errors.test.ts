import { test } from 'node:test'
import assert from 'node:assert/strict'
import { CorruptShardError, IntegrityError, NotEnoughShardsError, isPermanent, fromHex, toHex, equalBytes } from '../src/index.js'

test('error names are stable and carry their evidence', () => {
  const c = new CorruptShardError('ab12')
  assert.equal(c.name, 'CorruptShardError')
  assert.equal(c.shardId, 'ab12')
  assert.ok(c instanceof Error)
  const n = new NotEnoughShardsError(3, 1)
  assert.equal(n.needed, 3)
  assert.equal(n.got, 1)
  assert.equal(new IntegrityError('chunk').name, 'IntegrityError')
})

test('isPermanent tells transient from permanent errors', () => {
  assert.equal(isPermanent(new CorruptShardError('x')), true)
  assert.equal(isPermanent(new NotEnoughShardsError(2, 1)), false)
  assert.equal(isPermanent(new Error('socket hang up')), false)
})

test('hex round trip rejects malformed input', () => {
  const b = new Uint8Array([0, 1, 254, 255])
  assert.equal(toHex(b), '0001feff')
  assert.deepEqual(new Uint8Array(fromHex('0001feff')), b)
  assert.throws(() => fromHex('abc'))
  assert.throws(() => fromHex('ABCD'))
  assert.throws(() => fromHex('zz'))
})

test('equalBytes compares content and length', () => {
  assert.equal(equalBytes(new Uint8Array([1, 2]), new Uint8Array([1, 2])), true)
  assert.equal(equalBytes(new Uint8Array([1, 2]), new Uint8Array([1, 3])), false)
  assert.equal(equalBytes(new Uint8Array([1]), new Uint8Array([1, 0])), false)
})
