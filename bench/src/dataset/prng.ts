/**
 * Seeded randomness for the data set. Everything that shapes the tree (names, sizes, text,
 * SQL rows, mutations) comes from here, so one seed gives one tree on every machine.
 */

const GOLDEN = 0x9e3779b9

/** A 32-bit avalanche of `a` and `b` (murmur3's finalizer): derives sub-seeds from a seed. */
export function mix (a: number, b: number): number {
  let h = (a ^ Math.imul(b, GOLDEN)) >>> 0
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b)
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35)
  return (h ^ (h >>> 16)) >>> 0
}

/** `mix` over several values, in order. */
export function mixAll (seed: number, ...values: number[]): number {
  let h = seed >>> 0
  for (const v of values) h = mix(h, v)
  return h
}

/** xoshiro128**: fast, 32-bit only (no BigInt), good enough statistics for test data. */
export class Rng {
  private a: number
  private b: number
  private c: number
  private d: number

  constructor (seed: number) {
    // Four distinct non-zero words from the seed; xoshiro must not start from all zeros.
    this.a = mix(seed, 1) | 1
    this.b = mix(seed, 2)
    this.c = mix(seed, 3)
    this.d = mix(seed, 4)
  }

  u32 (): number {
    const result = Math.imul(rotl(Math.imul(this.b, 5), 7), 9) >>> 0
    const t = this.b << 9
    this.c ^= this.a
    this.d ^= this.b
    this.b ^= this.c
    this.a ^= this.d
    this.c ^= t
    this.d = rotl(this.d, 11)
    return result
  }

  /** Uniform in [0, 1). */
  float (): number {
    return this.u32() / 4294967296
  }

  /** Uniform integer in [0, n). */
  int (n: number): number {
    return Math.floor(this.float() * n)
  }

  /** Uniform integer in [lo, hi]. */
  range (lo: number, hi: number): number {
    return lo + this.int(hi - lo + 1)
  }

  chance (p: number): boolean {
    return this.float() < p
  }

  pick<T> (items: readonly T[]): T {
    return items[this.int(items.length)] as T
  }

  /** Standard normal (Box-Muller). */
  normal (): number {
    const u = 1 - this.float()
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * this.float())
  }

  /** Log-normal with the given median and shape: a long tail, like real file sizes. */
  logNormal (median: number, sigma: number): number {
    return median * Math.exp(sigma * this.normal())
  }

  /** Geometric-like run length with the given mean (at least 1). */
  run (mean: number): number {
    return 1 + Math.floor(-Math.log(1 - this.float()) * (mean - 1))
  }
}

function rotl (x: number, k: number): number {
  return (x << k) | (x >>> (32 - k))
}
