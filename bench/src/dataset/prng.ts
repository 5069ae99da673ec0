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

/**
 * xoshiro128**: fast, 32-bit only (no BigInt), good enough statistics for test data. The state
 * lives in an Int32Array: as plain fields, words above 2^30 would be boxed on every step.
 */
export class Rng {
  private readonly s = new Int32Array(4)

  constructor (seed: number) {
    this.reseed(seed)
  }

  /** Restarts from `seed`, as `new Rng(seed)` would (reusing one Rng saves allocations in hot loops). */
  reseed (seed: number): this {
    // Four words from the seed; xoshiro must not start from all zeros.
    this.s[0] = mix(seed, 1) | 1
    this.s[1] = mix(seed, 2)
    this.s[2] = mix(seed, 3)
    this.s[3] = mix(seed, 4)
    return this
  }

  u32 (): number {
    const s = this.s
    const s1 = s[1] as number
    const result = Math.imul(rotl(Math.imul(s1, 5), 7), 9) >>> 0
    const t = s1 << 9
    s[2] = (s[2] as number) ^ (s[0] as number)
    s[3] = (s[3] as number) ^ s1
    s[1] = s1 ^ (s[2] as number)
    s[0] = (s[0] as number) ^ (s[3] as number)
    s[2] = (s[2] as number) ^ t
    s[3] = rotl(s[3] as number, 11)
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
