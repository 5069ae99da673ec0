import { InvalidInputError } from '@resilien/types'

/** Length of a gear seed: 256 bits, the size of a derived sub-key. */
export const GEAR_SEED_BYTES = 32

/** One table entry per byte value. */
export const GEAR_TABLE_SIZE = 256

/**
 * The default seed is public: these 32 ASCII bytes. Changing them (or this generator) moves every
 * cut point and so breaks dedup against existing repositories.
 */
export const DEFAULT_GEAR_SEED_TEXT = 'resilien-fastcdc-gear-table-v1.0'

/** A fresh copy of the default seed (a shared typed array could be altered by any caller). */
export function defaultGearSeed (): Uint8Array {
  return new TextEncoder().encode(DEFAULT_GEAR_SEED_TEXT)
}

/** Odd constant (2^32 / golden ratio) that spreads consecutive counters over all 32 bits. */
const COUNTER_STEP = 0x9e3779b9

/** MurmurHash3's finalizer: a bijection on 32 bits in which every input bit flips about half the output bits. */
function fmix32 (x: number): number {
  x ^= x >>> 16
  x = Math.imul(x, 0x85ebca6b)
  x ^= x >>> 13
  x = Math.imul(x, 0xc2b2ae35)
  x ^= x >>> 16
  return x >>> 0
}

/**
 * A counter-based PRNG: entry j is the counter j pushed through one keyed round per seed word
 * (xor the word, then fmix32). Every entry depends on all 32 seed bytes, and since each round is a
 * bijection, the 256 entries are always distinct. Not a cryptographic PRF: a secret seed should be
 * a sub-key derived for this purpose only.
 */
export function createGearTable (seed: Uint8Array = defaultGearSeed()): Uint32Array {
  if (!(seed instanceof Uint8Array) || seed.byteLength !== GEAR_SEED_BYTES) {
    throw new InvalidInputError(`gear seed must be a Uint8Array of ${GEAR_SEED_BYTES} bytes`)
  }
  const words = new Uint32Array(GEAR_SEED_BYTES / 4)
  for (let w = 0; w < words.length; w++) {
    // Little-endian by hand, so the table is the same on every platform.
    const b = w * 4
    words[w] = ((seed[b] as number) | ((seed[b + 1] as number) << 8) | ((seed[b + 2] as number) << 16) | ((seed[b + 3] as number) << 24)) >>> 0
  }
  const table = new Uint32Array(GEAR_TABLE_SIZE)
  for (let j = 0; j < GEAR_TABLE_SIZE; j++) {
    let x = Math.imul(j + 1, COUNTER_STEP) >>> 0
    for (let w = 0; w < words.length; w++) x = fmix32(x ^ (words[w] as number))
    table[j] = x
  }
  return table
}
