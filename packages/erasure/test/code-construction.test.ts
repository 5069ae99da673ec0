import assert from 'node:assert/strict'
import { test } from 'node:test'
import { codeParameters, NATIVE_MAX_K, NATIVE_MAX_M } from '../src/code-parameters.js'
import { planDecode } from '../src/decode-plan.js'
import { erasureCode } from '../src/erasure-code.js'
import { galoisField } from '../src/galois-field.js'
import { MAX_SHARDS } from '../src/limits.js'
import { packetLength } from '../src/packet-layout.js'
import { Prng } from './prng.js'

test('every field in use is GF(2^w): each nonzero element has an inverse and products commute', () => {
  const used = new Set<string>()
  for (let k = 1; k <= NATIVE_MAX_K; k++) {
    for (let m = 1; m <= NATIVE_MAX_M + 1; m++) {
      const { w, polynomial } = codeParameters(k, m)
      used.add(`${w},${polynomial}`)
    }
  }
  for (const key of used) {
    const [w, polynomial] = key.split(',').map(Number) as [number, number]
    const field = galoisField(w, polynomial)
    for (let a = 1; a < field.size; a++) {
      assert.equal(field.mul(a, field.inv(a)), 1, `GF(2^${w}) p=${polynomial} a=${a}`)
      for (let b = 0; b < field.size; b += 3) {
        assert.equal(field.mul(a, b), field.mul(b, a))
        assert.equal(field.mul(a, b ^ 1), field.mul(a, b) ^ a)
      }
    }
  }
})

test('a polynomial that is not primitive is refused', () => {
  assert.throws(() => galoisField(4, 0b1111), /not primitive/)
})

test('the parity matrices cost exactly the XORs the native parameter search reported', () => {
  for (let k = 1; k <= NATIVE_MAX_K; k++) {
    for (let m = 1; m <= NATIVE_MAX_M; m++) {
      const code = erasureCode(k, m)
      let ones = 0
      for (const row of code.parityRows) for (const e of row) ones += code.field.bitCost[e] as number
      assert.equal(ones, codeParameters(k, m).ones, `k=${k} m=${m}`)
      assert.ok(code.parityRows[0]?.every((e) => e === 1), 'parity 0 is the XOR of the data')
    }
  }
})

test('every set of k shards of a small code is enough to decode (MDS)', () => {
  for (let n = 2; n <= 10; n++) {
    for (let k = 1; k < n; k++) {
      const code = erasureCode(k, n - k)
      for (let set = 0; set < 1 << n; set++) {
        const present = Array.from({ length: n }, (_, i) => (set >> i & 1) === 1)
        if (present.filter(Boolean).length !== k) continue
        assert.doesNotThrow(() => planDecode(code, present), `k=${k} m=${n - k} set=${set.toString(2)}`)
      }
    }
  }
})

test('random k-subsets of the largest codes decode', () => {
  const rng = new Prng(31)
  for (let k = 1; k < MAX_SHARDS; k++) {
    const code = erasureCode(k, MAX_SHARDS - k)
    for (let trial = 0; trial < 20; trial++) {
      const present = new Array<boolean>(MAX_SHARDS).fill(false)
      for (const i of rng.pick(MAX_SHARDS, k)) present[i] = true
      assert.doesNotThrow(() => planDecode(code, present), `k=${k}`)
    }
  }
})

test('packets are halved only while the block overflows the cache budget and stays even', () => {
  assert.equal(packetLength(4, 4, 2_097_152), 32_768)
  assert.equal(packetLength(8, 16, 8), 1)
  assert.equal(packetLength(4, 4, 4 * 262_145), 262_145)
  assert.equal(packetLength(8, 24, 8 * 128), 128)
})
