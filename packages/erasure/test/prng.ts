/** Seeded PRNG (mulberry32) so that a failing property test fails the same way every run. */
export class Prng {
  private state: number

  constructor (seed: number) {
    this.state = seed >>> 0
  }

  /** Uniform in [0, 2^32). */
  next (): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0
    let t = this.state
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return (t ^ (t >>> 14)) >>> 0
  }

  /** Integer in [min, max]. */
  int (min: number, max: number): number {
    return min + (this.next() % (max - min + 1))
  }

  bytes (length: number): Uint8Array {
    const out = new Uint8Array(length)
    for (let i = 0; i < length; i++) out[i] = this.next() & 0xff
    return out
  }

  /** `count` distinct indices of 0..n-1. */
  pick (n: number, count: number): number[] {
    const all = Array.from({ length: n }, (_, i) => i)
    for (let i = n - 1; i > 0; i--) {
      const j = this.int(0, i)
      const t = all[i] as number
      all[i] = all[j] as number
      all[j] = t
    }
    return all.slice(0, count)
  }

  /** Shard lengths weighted toward the hard cases: tiny, unaligned, then larger. */
  shardLength (): number {
    const kind = this.int(0, 3)
    if (kind === 0) return this.int(1, 16)
    if (kind === 1) return this.int(17, 600)
    if (kind === 2) return 8 * this.int(3, 600)
    return this.int(600, 6000)
  }
}

/** Every slot of the stripe, with `erased` slots set to undefined. */
export function erase (shards: readonly Uint8Array[], erased: readonly number[]): Array<Uint8Array | undefined> {
  const out: Array<Uint8Array | undefined> = [...shards]
  for (const i of erased) out[i] = undefined
  return out
}
