import { createGearTable } from '../src/index.js'

/**
 * Mulberry32: a tiny seeded PRNG, so every test input is the same on every run and platform
 * (bytes are written one by one, never through a platform-endian typed-array view).
 */
export function prng (seed: number): () => number {
  let state = seed >>> 0
  return () => {
    state = (state + 0x6d2b79f5) >>> 0
    let t = state
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return (t ^ (t >>> 14)) >>> 0
  }
}

/** `length` pseudo-random bytes from `seed`. */
export function randomBytes (length: number, seed: number): Uint8Array {
  const next = prng(seed)
  const out = new Uint8Array(length)
  let i = 0
  for (; i + 4 <= length; i += 4) {
    const r = next()
    out[i] = r
    out[i + 1] = r >>> 8
    out[i + 2] = r >>> 16
    out[i + 3] = r >>> 24
  }
  for (; i < length; i++) out[i] = next()
  return out
}

/** A uniform integer in [lo, hi]. */
export function randomInt (next: () => number, lo: number, hi: number): number {
  return lo + (next() % (hi - lo + 1))
}

export interface ReferenceOptions {
  minSize: number
  avgSize: number
  maxSize: number
  normalization: number
  gearSeed?: Uint8Array
}

/**
 * The algorithm as specified, one byte per step, written independently of the package's loop:
 * hashing starts at chunk index minSize - 1; index k < avgSize is tested with the mask of
 * log2(avgSize) + normalization bits, later indexes with log2(avgSize) - normalization bits; masks
 * are that many ones right below bit 31; the cut falls after the first byte whose hash has all
 * mask bits zero, else at maxSize or at the end of the data.
 */
export function referenceCutLengths (data: Uint8Array, o: ReferenceOptions): number[] {
  const gear = createGearTable(o.gearSeed)
  const bits = Math.log2(o.avgSize)
  const maskOf = (ones: number): number => {
    let m = 0
    for (let b = 30; b > 30 - ones; b--) m |= 1 << b
    return m
  }
  const maskSmall = maskOf(bits + o.normalization)
  const maskLarge = maskOf(bits - o.normalization)
  const lengths: number[] = []
  let pos = 0
  while (pos < data.length) {
    const limit = Math.min(data.length - pos, o.maxSize)
    let cut = limit
    let hash = 0
    for (let k = o.minSize - 1; k < limit; k++) {
      hash = ((hash << 1) + (gear[data[pos + k] as number] as number)) >>> 0
      if ((hash & (k < o.avgSize ? maskSmall : maskLarge)) === 0) { cut = k + 1; break }
    }
    lengths.push(cut)
    pos += cut
  }
  return lengths
}

/** Yields `data` as consecutive reads whose sizes come from `nextSize`. */
export async function * splitReads (data: Uint8Array, nextSize: () => number): AsyncGenerator<Uint8Array> {
  let pos = 0
  while (pos < data.length) {
    const n = Math.min(data.length - pos, Math.max(1, nextSize()))
    yield data.subarray(pos, pos + n)
    pos += n
  }
}

/** Collects a stream's chunks, copying each at once (safe whatever the source does with its buffers). */
export async function collectCopies (chunks: AsyncIterable<Uint8Array>): Promise<Uint8Array[]> {
  const out: Uint8Array[] = []
  for await (const c of chunks) out.push(c.slice())
  return out
}
