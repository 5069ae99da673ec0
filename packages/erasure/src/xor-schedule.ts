import type { GaloisField } from './galois-field.js'

/**
 * How one target shard is computed from k source shards with XORs only (the bit-matrix form of
 * Cauchy Reed-Solomon). Each shard is cut into blocks of w packets; packet p of a block holds bit
 * p of that block's symbols, so multiplying by a coefficient e becomes: target packet t is the
 * XOR of the source packets p where bit t of e * 2^p is set. `packets[t]` lists those sources as
 * s * w + p.
 */
export interface XorSchedule {
  readonly packets: readonly Int32Array[]
}

/** True when bit t of e * 2^p is set: entry (t, p) of the w x w bit matrix of e. */
export function bitMatrixEntry (field: GaloisField, e: number, t: number, p: number): boolean {
  return ((field.mul(e, 1 << p) >> t) & 1) === 1
}

/** The schedule of one row of coefficients (one per source shard). */
export function xorSchedule (field: GaloisField, row: Uint8Array): XorSchedule {
  const w = field.w
  const packets: Int32Array[] = []
  for (let t = 0; t < w; t++) {
    const sources: number[] = []
    for (let s = 0; s < row.length; s++) {
      const e = row[s] as number
      if (e === 0) continue
      for (let p = 0; p < w; p++) {
        if (bitMatrixEntry(field, e, t, p)) sources.push(s * w + p)
      }
    }
    packets.push(Int32Array.from(sources))
  }
  return { packets }
}
