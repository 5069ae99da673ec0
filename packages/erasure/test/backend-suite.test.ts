import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { InvalidInputError, NotEnoughShardsError } from '@resilien/types'
import { activeErasure, loadErasureBackend, MAX_SHARDS } from '../src/index.js'
import type { ErasureBackend, ErasureBackendName } from '../src/index.js'
import { erase, Prng } from './prng.js'

/** The contract every backend keeps; run against each one that loads here. */
function suite (backend: ErasureBackend): void {
  async function roundTrip (k: number, m: number, length: number, erased: readonly number[], rng: Prng): Promise<void> {
    const data = Array.from({ length: k }, () => rng.bytes(length))
    const parity = await backend.encode(k, m, data)
    assert.equal(parity.length, m)
    for (const p of parity) assert.equal(p.length, length)
    const stripe = [...data, ...parity]
    const rebuilt = await backend.reconstruct(k, m, erase(stripe, erased))
    assert.equal(rebuilt.length, k + m)
    rebuilt.forEach((shard, i) => assert.deepEqual(shard, stripe[i], `k=${k} m=${m} length=${length} erased=${erased.join(',')} shard ${i}`))
  }

  test('reconstructs any erasure set of up to m shards, for random k, m and shard lengths', async () => {
    const rng = new Prng(0xe7a5)
    for (let trial = 0; trial < 150; trial++) {
      const k = rng.int(1, 16)
      const m = rng.int(0, 8)
      await roundTrip(k, m, rng.shardLength(), rng.pick(k + m, rng.int(0, m)), rng)
    }
  })

  test('reconstructs at the edges: k=1, m=0, k+m=32 and the native limits', async () => {
    const rng = new Prng(32)
    const cases = [[1, 0], [1, 1], [1, 31], [2, 30], [16, 16], [24, 6], [24, 8], [25, 7], [31, 1], [32, 0], [3, 29]]
    for (const [k, m] of cases as Array<[number, number]>) {
      for (const length of [1, 7, 8, 9, 1000, 4099]) await roundTrip(k, m, length, rng.pick(k + m, m), rng)
    }
  })

  test('reconstructs shards long enough to be cut into several blocks', async () => {
    const rng = new Prng(7)
    await roundTrip(4, 2, 300_000 + 5, [0, 3], rng)
    await roundTrip(16, 4, 72_000, [1, 2, 17, 19], rng)
  })

  test('encodes zero-length shards to zero-length parity', async () => {
    const parity = await backend.encode(3, 2, [new Uint8Array(0), new Uint8Array(0), new Uint8Array(0)])
    assert.deepEqual(parity, [new Uint8Array(0), new Uint8Array(0)])
  })

  test('returns present shards as given and leaves its inputs unchanged', async () => {
    const rng = new Prng(5)
    const data = [rng.bytes(64), rng.bytes(64), rng.bytes(64)]
    const copies = data.map((d) => Uint8Array.from(d))
    const parity = await backend.encode(3, 2, data)
    assert.deepEqual(data, copies)
    const stripe = erase([...data, ...parity], [1, 3])
    const rebuilt = await backend.reconstruct(3, 2, stripe)
    assert.equal(rebuilt[0], data[0])
    assert.equal(rebuilt[4], parity[1])
    assert.equal(stripe[1], undefined)
  })

  test('reads unaligned views of a larger buffer', async () => {
    const rng = new Prng(11)
    const backing = rng.bytes(4 * 1001 + 3)
    const data = [0, 1, 2, 3].map((i) => backing.subarray(3 + i * 1001, 3 + (i + 1) * 1001))
    const parity = await backend.encode(4, 2, data)
    const rebuilt = await backend.reconstruct(4, 2, erase([...data, ...parity], [0, 2]))
    assert.deepEqual(rebuilt[0], data[0])
    assert.deepEqual(rebuilt[2], data[2])
  })

  test('runs concurrent calls without mixing their stripes', async () => {
    const rng = new Prng(13)
    const stripes = await Promise.all(Array.from({ length: 6 }, async () => {
      const data = Array.from({ length: 4 }, () => rng.bytes(4096))
      return [...data, ...await backend.encode(4, 2, data)]
    }))
    const rebuilt = await Promise.all(stripes.map((s) => backend.reconstruct(4, 2, erase(s, [0, 1]))))
    rebuilt.forEach((r, i) => assert.deepEqual(r, stripes[i]))
  })

  test('fewer than k present shards is NotEnoughShardsError with the evidence', async () => {
    const rng = new Prng(17)
    const data = Array.from({ length: 4 }, () => rng.bytes(100))
    const parity = await backend.encode(4, 2, data)
    await assert.rejects(backend.reconstruct(4, 2, erase([...data, ...parity], [0, 1, 5])), (err: unknown) => {
      assert.ok(err instanceof NotEnoughShardsError)
      assert.equal(err.needed, 4)
      assert.equal(err.got, 3)
      return true
    })
    const holes: Array<Uint8Array | undefined> = new Array<Uint8Array | undefined>(6)
    await assert.rejects(backend.reconstruct(4, 2, holes), NotEnoughShardsError)
  })

  test('rejects malformed input with InvalidInputError', async () => {
    const s = (n: number): Uint8Array => new Uint8Array(n)
    const bad: Array<() => Promise<unknown>> = [
      () => backend.encode(0, 1, []),
      () => backend.encode(1.5, 1, [s(1)]),
      () => backend.encode(2, -1, [s(1), s(1)]),
      () => backend.encode(MAX_SHARDS, 1, Array.from({ length: MAX_SHARDS }, () => s(1))),
      () => backend.encode(2, 1, [s(1)]),
      () => backend.encode(2, 1, [s(1), s(2)]),
      () => backend.encode(2, 1, [s(1), [1] as unknown as Uint8Array]),
      () => backend.reconstruct(2, 1, [s(1), s(1)]),
      () => backend.reconstruct(2, 1, [s(1), s(2), undefined]),
      () => backend.reconstruct(2, 1, [s(1), 'x' as unknown as Uint8Array, undefined])
    ]
    for (const call of bad) await assert.rejects(call(), InvalidInputError)
  })
}

/** Where `npm ci` builds the native binding (allowScripts): its absence there is a broken install. */
const NATIVE_BUILT_HERE = process.platform === 'linux' && process.arch === 'x64'

for (const name of ['portable', 'native'] as ErasureBackendName[]) {
  const backend = loadErasureBackend(name)
  if (backend !== undefined) {
    describe(`${name} backend`, () => suite(backend))
    continue
  }
  // Said, not silently left out: the portable backend is what runs here.
  test(`the ${name} backend does not load on ${process.platform}-${process.arch}, and the portable one is active`, () => {
    assert.equal(NATIVE_BUILT_HERE, false, 'npm ci builds the native binding on linux x64: the install is broken')
    assert.equal(activeErasure.name, 'portable')
  })
}
