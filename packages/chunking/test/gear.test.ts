import { test } from 'node:test'
import assert from 'node:assert/strict'
import { InvalidInputError } from '@resilien/types'
import { createGearTable, DEFAULT_GEAR_SEED_TEXT, defaultGearSeed, GEAR_SEED_BYTES } from '../src/index.js'
import { cutMask, GEAR_MASK_BITS } from '../src/masks.js'

function popcount (x: number): number {
  let n = 0
  for (let v = x >>> 0; v !== 0; v >>>= 1) n += v & 1
  return n
}

test('the default seed is the documented 32-byte text, handed out as a fresh copy', () => {
  assert.equal(DEFAULT_GEAR_SEED_TEXT.length, GEAR_SEED_BYTES)
  const seed = defaultGearSeed()
  assert.deepEqual(seed, new TextEncoder().encode('resilien-fastcdc-gear-table-v1.0'))
  seed.fill(0)
  assert.deepEqual(defaultGearSeed(), new TextEncoder().encode(DEFAULT_GEAR_SEED_TEXT))
  assert.deepEqual(createGearTable(), createGearTable(defaultGearSeed()))
})

test('the gear table is deterministic, has 256 distinct entries, and changes with any seed byte', () => {
  const seed = new Uint8Array(32).map((_, i) => i * 37)
  const table = createGearTable(seed)
  assert.equal(table.length, 256)
  assert.deepEqual(createGearTable(seed.slice()), table)
  assert.equal(new Set(table).size, 256)
  // Pinned: the generator is part of the on-disk format (cut points follow from it).
  assert.deepEqual(Array.from(createGearTable().subarray(0, 4)), [1003841596, 175500585, 1142302588, 857077046])
  for (let byte = 0; byte < 32; byte++) {
    const other = seed.slice()
    other[byte] = (other[byte] as number) ^ 0x80
    const t = createGearTable(other)
    const same = table.filter((v, j) => v === t[j]).length
    assert.ok(same <= 1, `seed byte ${byte}: ${same} entries unchanged`)
  }
})

test('gear table bits are balanced: every bit position is set in about half the entries', () => {
  const table = createGearTable()
  for (let bit = 0; bit < 32; bit++) {
    const ones = table.filter((v) => ((v >>> bit) & 1) === 1).length
    assert.ok(ones > 96 && ones < 160, `bit ${bit} set in ${ones} of 256`)
  }
})

test('a seed that is not 32 bytes is rejected with InvalidInputError', () => {
  for (const seed of [new Uint8Array(0), new Uint8Array(16), new Uint8Array(64), [1, 2, 3], 'seed']) {
    assert.throws(() => createGearTable(seed as Uint8Array), InvalidInputError)
  }
})

test('cut masks have the requested number of bits, all below bit 31', () => {
  for (let ones = 1; ones <= GEAR_MASK_BITS; ones++) {
    const m = cutMask(ones)
    assert.equal(popcount(m), ones)
    assert.equal(m >>> 31, 0)
    // Packed right below bit 31: the highest usable bit is always tested.
    assert.equal((m >>> 30) & 1, 1)
  }
  assert.throws(() => cutMask(0), RangeError)
  assert.throws(() => cutMask(32), RangeError)
})
