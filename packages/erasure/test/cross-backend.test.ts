import assert from 'node:assert/strict'
import { createHash } from 'node:crypto'
import { describe, test } from 'node:test'
import { NATIVE_MAX_K, NATIVE_MAX_M } from '../src/code-parameters.js'
import { erasureCode } from '../src/erasure-code.js'
import { loadErasureBackend } from '../src/index.js'
import { loadBinding, sameBitMatrix } from '../src/native-backend.js'
import type { ErasureBackend } from '../src/index.js'
import { erase, Prng } from './prng.js'

/**
 * Parity is stored: a stripe written by one machine is rebuilt by another, maybe without the
 * native binding. These digests were produced by @ronomon/reed-solomon 6.0.0 (and the portable
 * code): [k, m, shard length, first 16 bytes of SHA-256 over the parity shards in order].
 */
const GOLDEN: ReadonlyArray<readonly [number, number, number, string]> = [
  [2, 1, 64, '3659aaa9ce80933281010680eababc34'],
  [4, 2, 4101, 'e81c4277b5d5c413559bac940d00d705'],
  [8, 3, 1000, 'e65c226c6b8a7dd6ecb21ba96e736a36'],
  [16, 4, 70000, '266d5e18036cd6c0f160efeee69e5d01'],
  [24, 6, 8000, 'ce07e66dc600c823eb60043111c06d8d'],
  [12, 12, 999, '8aee1550e65eb97bd257fa8a31ec7383'],
  [28, 4, 777, '7825fa7b7f0b40418f84cc07bcd68568'],
  [1, 5, 33, '882e1a0086b2d31cd5a7976abedcacd9']
]

function goldenData (k: number, m: number, length: number): Uint8Array[] {
  const rng = new Prng(k * 1000 + m)
  return Array.from({ length: k }, () => rng.bytes(length))
}

function digest (shards: readonly Uint8Array[]): string {
  const hash = createHash('sha256')
  for (const shard of shards) hash.update(shard)
  return hash.digest('hex').slice(0, 32)
}

const backends = (['portable', 'native'] as const)
  .map((name) => loadErasureBackend(name))
  .filter((backend): backend is ErasureBackend => backend !== undefined)

for (const backend of backends) {
  test(`${backend.name} parity matches the frozen golden digests`, async () => {
    for (const [k, m, length, expected] of GOLDEN) {
      assert.equal(digest(await backend.encode(k, m, goldenData(k, m, length))), expected, `k=${k} m=${m} length=${length}`)
    }
  })
}

const loadedNative = loadErasureBackend('native')
const portable = loadErasureBackend('portable') as ErasureBackend

if (loadedNative !== undefined) {
  const native: ErasureBackend = loadedNative
  describe('native and portable backends', () => {
    test('share the bit matrix of every (k, m) the native library takes, so native is never bypassed', () => {
      const binding = loadBinding()
      assert.ok(binding !== undefined)
      for (let k = 1; k <= NATIVE_MAX_K; k++) {
        for (let m = 1; m <= NATIVE_MAX_M; m++) assert.ok(sameBitMatrix(erasureCode(k, m), binding.create(k, m)), `k=${k} m=${m}`)
      }
    })

    test('write identical parity for every (k, m) the native library takes', async () => {
      const rng = new Prng(99)
      for (let k = 1; k <= NATIVE_MAX_K; k++) {
        for (let m = 1; m <= NATIVE_MAX_M; m++) {
          // 8: one byte packets; 1000: odd packets (byte lanes); 2053: a tail; 66 KiB: halved packets for w = 8.
          for (const length of [8, 1000, 2053, 8 * rng.int(1, 300), ...(k >= 13 ? [66_560] : [])]) {
            const data = Array.from({ length: k }, () => rng.bytes(length))
            assert.deepEqual(await native.encode(k, m, data), await portable.encode(k, m, data), `k=${k} m=${m} length=${length}`)
          }
        }
      }
    })

    test('write identical parity when packets are halved to fit the cache budget', async () => {
      const rng = new Prng(3)
      for (const [k, m, length] of [[4, 2, 300_000], [8, 3, 140_008], [2, 1, 600_000]] as const) {
        const data = Array.from({ length: k }, () => rng.bytes(length))
        assert.deepEqual(await native.encode(k, m, data), await portable.encode(k, m, data), `k=${k} m=${m}`)
      }
    })

    test('each rebuilds stripes the other encoded', async () => {
      const rng = new Prng(0xc0de)
      for (let trial = 0; trial < 60; trial++) {
        const k = rng.int(1, 16)
        const m = rng.int(1, 8)
        const length = rng.shardLength()
        const [writer, reader] = trial % 2 === 0 ? [native, portable] : [portable, native]
        const data = Array.from({ length: k }, () => rng.bytes(length))
        const stripe = [...data, ...await writer.encode(k, m, data)]
        const rebuilt = await reader.reconstruct(k, m, erase(stripe, rng.pick(k + m, rng.int(1, m))))
        assert.deepEqual(rebuilt, stripe, `${writer.name} -> ${reader.name} k=${k} m=${m} length=${length}`)
      }
    })
  })
}
