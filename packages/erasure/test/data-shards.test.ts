import assert from 'node:assert/strict'
import { test } from 'node:test'
import { InvalidInputError } from '@resilien/types'
import { activeErasure, dataShardRange, joinDataShards, MAX_SHARDS, SHARD_ALIGNMENT, splitIntoDataShards } from '../src/index.js'
import { erase, Prng } from './prng.js'

test('split then join gives the pack back, for random pack lengths and k', () => {
  const rng = new Prng(41)
  for (let trial = 0; trial < 300; trial++) {
    const pack = rng.bytes(rng.int(0, 3) === 0 ? rng.int(0, 40) : rng.int(1, 20_000))
    const k = rng.int(1, MAX_SHARDS)
    const { shards, shardLength } = splitIntoDataShards(pack, k)
    assert.equal(shards.length, k)
    assert.equal(shardLength % SHARD_ALIGNMENT, 0)
    assert.ok(k * shardLength >= pack.length)
    assert.ok(shardLength - Math.ceil(pack.length / k) < SHARD_ALIGNMENT, 'no more padding than alignment needs')
    for (const shard of shards) assert.equal(shard.length, shardLength)
    assert.deepEqual(joinDataShards(shards, pack.length), pack)
  }
})

test('shards are plain slices of the pack, padded with zeros after its end', () => {
  const pack = new Uint8Array(50).map((_, i) => i + 1)
  const { shards, shardLength } = splitIntoDataShards(pack, 3)
  assert.equal(shardLength, 24)
  assert.deepEqual(shards[0], pack.subarray(0, 24))
  assert.deepEqual(shards[1], pack.subarray(24, 48))
  assert.deepEqual(shards[2], Uint8Array.from([49, 50, ...new Array<number>(22).fill(0)]))
})

test('a pack that fills its shards exactly is split without a copy', () => {
  const pack = new Uint8Array(64)
  const { shards } = splitIntoDataShards(pack, 4)
  shards.forEach((shard, i) => {
    assert.equal(shard.buffer, pack.buffer)
    assert.equal(shard.byteOffset, pack.byteOffset + i * 16)
  })
})

test('a byte range of the pack maps to the same bytes of the data shards', () => {
  const rng = new Prng(43)
  for (let trial = 0; trial < 300; trial++) {
    const pack = rng.bytes(rng.int(1, 5000))
    const { shards, shardLength } = splitIntoDataShards(pack, rng.int(1, 12))
    const offset = rng.int(0, pack.length - 1)
    const length = rng.int(0, pack.length - offset)
    const pieces = dataShardRange(offset, length, shardLength)
    const read = pieces.map(({ shard, offset: at, length: n }) => {
      assert.ok(n > 0 && at + n <= shardLength)
      return (shards[shard] as Uint8Array).subarray(at, at + n)
    })
    assert.deepEqual(Uint8Array.from(read.flatMap((piece) => [...piece])), pack.subarray(offset, offset + length))
  }
})

test('a chunk inside one shard is one range read', () => {
  assert.deepEqual(dataShardRange(100, 20, 64), [{ shard: 1, offset: 36, length: 20 }])
  assert.deepEqual(dataShardRange(60, 8, 64), [{ shard: 0, offset: 60, length: 4 }, { shard: 1, offset: 0, length: 4 }])
  assert.deepEqual(dataShardRange(10, 0, 64), [])
})

test('a pack survives split, encode, loss of m shards, reconstruct and join', async () => {
  const rng = new Prng(47)
  const pack = rng.bytes(100_003)
  const { shards } = splitIntoDataShards(pack, 5)
  const stripe = [...shards, ...await activeErasure.encode(5, 3, shards)]
  const rebuilt = await activeErasure.reconstruct(5, 3, erase(stripe, [0, 2, 4]))
  assert.deepEqual(joinDataShards(rebuilt, pack.length), pack)
})

test('malformed split, range and join arguments are InvalidInputError', () => {
  const s = new Uint8Array(8)
  const bad: Array<() => unknown> = [
    () => splitIntoDataShards(s, 0),
    () => splitIntoDataShards(s, MAX_SHARDS + 1),
    () => splitIntoDataShards([1, 2] as unknown as Uint8Array, 1),
    () => dataShardRange(-1, 1, 8),
    () => dataShardRange(0, 1.5, 8),
    () => dataShardRange(0, 1, 0),
    () => joinDataShards([s], 9),
    () => joinDataShards([s, new Uint8Array(4)], 12),
    () => joinDataShards([s, undefined as unknown as Uint8Array], 12),
    () => joinDataShards([s], -1)
  ]
  for (const call of bad) assert.throws(call, InvalidInputError)
})
