import { IV } from '../constants.js'

const ROUNDS = 7
const TWO_POW_32 = 2 ** 32
const IV0 = IV[0] as number
const IV1 = IV[1] as number
const IV2 = IV[2] as number
const IV3 = IV[3] as number

/**
 * The BLAKE3 compression function (BLAKE3 spec, section 2.2). Writes 16 words to `out`: the
 * first 8 are the new chaining value, all 16 one block of extended output. `counter` is a chunk
 * index or an output block index, below 2^53.
 *
 * Unrolled over local variables: V8 keeps them in registers, which makes it several times
 * faster than a loop over a state array. Each group of four lines is one quarter-round G
 * (a, b, c, d; two message words); sums wrap with `| 0`, rotations are shift pairs.
 */
export function compress (
  cv: Uint32Array, block: Uint32Array, counter: number, blockLength: number, flags: number, out: Uint32Array
): void {
  let v0 = cv[0] as number; let v1 = cv[1] as number; let v2 = cv[2] as number; let v3 = cv[3] as number
  let v4 = cv[4] as number; let v5 = cv[5] as number; let v6 = cv[6] as number; let v7 = cv[7] as number
  let v8 = IV0; let v9 = IV1; let v10 = IV2; let v11 = IV3
  let v12 = counter | 0; let v13 = Math.floor(counter / TWO_POW_32) | 0; let v14 = blockLength; let v15 = flags
  let m0 = block[0] as number; let m1 = block[1] as number; let m2 = block[2] as number; let m3 = block[3] as number
  let m4 = block[4] as number; let m5 = block[5] as number; let m6 = block[6] as number; let m7 = block[7] as number
  let m8 = block[8] as number; let m9 = block[9] as number; let m10 = block[10] as number; let m11 = block[11] as number
  let m12 = block[12] as number; let m13 = block[13] as number; let m14 = block[14] as number; let m15 = block[15] as number
  for (let round = 0; round < ROUNDS; round++) {
    // Columns.
    v0 = (v0 + v4 + m0) | 0; v12 ^= v0; v12 = (v12 >>> 16) | (v12 << 16)
    v8 = (v8 + v12) | 0; v4 ^= v8; v4 = (v4 >>> 12) | (v4 << 20)
    v0 = (v0 + v4 + m1) | 0; v12 ^= v0; v12 = (v12 >>> 8) | (v12 << 24)
    v8 = (v8 + v12) | 0; v4 ^= v8; v4 = (v4 >>> 7) | (v4 << 25)
    v1 = (v1 + v5 + m2) | 0; v13 ^= v1; v13 = (v13 >>> 16) | (v13 << 16)
    v9 = (v9 + v13) | 0; v5 ^= v9; v5 = (v5 >>> 12) | (v5 << 20)
    v1 = (v1 + v5 + m3) | 0; v13 ^= v1; v13 = (v13 >>> 8) | (v13 << 24)
    v9 = (v9 + v13) | 0; v5 ^= v9; v5 = (v5 >>> 7) | (v5 << 25)
    v2 = (v2 + v6 + m4) | 0; v14 ^= v2; v14 = (v14 >>> 16) | (v14 << 16)
    v10 = (v10 + v14) | 0; v6 ^= v10; v6 = (v6 >>> 12) | (v6 << 20)
    v2 = (v2 + v6 + m5) | 0; v14 ^= v2; v14 = (v14 >>> 8) | (v14 << 24)
    v10 = (v10 + v14) | 0; v6 ^= v10; v6 = (v6 >>> 7) | (v6 << 25)
    v3 = (v3 + v7 + m6) | 0; v15 ^= v3; v15 = (v15 >>> 16) | (v15 << 16)
    v11 = (v11 + v15) | 0; v7 ^= v11; v7 = (v7 >>> 12) | (v7 << 20)
    v3 = (v3 + v7 + m7) | 0; v15 ^= v3; v15 = (v15 >>> 8) | (v15 << 24)
    v11 = (v11 + v15) | 0; v7 ^= v11; v7 = (v7 >>> 7) | (v7 << 25)
    // Diagonals.
    v0 = (v0 + v5 + m8) | 0; v15 ^= v0; v15 = (v15 >>> 16) | (v15 << 16)
    v10 = (v10 + v15) | 0; v5 ^= v10; v5 = (v5 >>> 12) | (v5 << 20)
    v0 = (v0 + v5 + m9) | 0; v15 ^= v0; v15 = (v15 >>> 8) | (v15 << 24)
    v10 = (v10 + v15) | 0; v5 ^= v10; v5 = (v5 >>> 7) | (v5 << 25)
    v1 = (v1 + v6 + m10) | 0; v12 ^= v1; v12 = (v12 >>> 16) | (v12 << 16)
    v11 = (v11 + v12) | 0; v6 ^= v11; v6 = (v6 >>> 12) | (v6 << 20)
    v1 = (v1 + v6 + m11) | 0; v12 ^= v1; v12 = (v12 >>> 8) | (v12 << 24)
    v11 = (v11 + v12) | 0; v6 ^= v11; v6 = (v6 >>> 7) | (v6 << 25)
    v2 = (v2 + v7 + m12) | 0; v13 ^= v2; v13 = (v13 >>> 16) | (v13 << 16)
    v8 = (v8 + v13) | 0; v7 ^= v8; v7 = (v7 >>> 12) | (v7 << 20)
    v2 = (v2 + v7 + m13) | 0; v13 ^= v2; v13 = (v13 >>> 8) | (v13 << 24)
    v8 = (v8 + v13) | 0; v7 ^= v8; v7 = (v7 >>> 7) | (v7 << 25)
    v3 = (v3 + v4 + m14) | 0; v14 ^= v3; v14 = (v14 >>> 16) | (v14 << 16)
    v9 = (v9 + v14) | 0; v4 ^= v9; v4 = (v4 >>> 12) | (v4 << 20)
    v3 = (v3 + v4 + m15) | 0; v14 ^= v3; v14 = (v14 >>> 8) | (v14 << 24)
    v9 = (v9 + v14) | 0; v4 ^= v9; v4 = (v4 >>> 7) | (v4 << 25)
    // The message permutation, applied between rounds.
    const p0 = m0, p1 = m1, p2 = m2, p3 = m3, p4 = m4, p5 = m5, p6 = m6, p7 = m7
    const p8 = m8, p9 = m9, p10 = m10, p11 = m11, p12 = m12, p13 = m13, p14 = m14, p15 = m15
    m0 = p2; m1 = p6; m2 = p3; m3 = p10; m4 = p7; m5 = p0; m6 = p4; m7 = p13
    m8 = p1; m9 = p11; m10 = p12; m11 = p5; m12 = p9; m13 = p14; m14 = p15; m15 = p8
  }
  out[0] = v0 ^ v8; out[1] = v1 ^ v9; out[2] = v2 ^ v10; out[3] = v3 ^ v11
  out[4] = v4 ^ v12; out[5] = v5 ^ v13; out[6] = v6 ^ v14; out[7] = v7 ^ v15
  out[8] = v8 ^ (cv[0] as number); out[9] = v9 ^ (cv[1] as number); out[10] = v10 ^ (cv[2] as number); out[11] = v11 ^ (cv[3] as number)
  out[12] = v12 ^ (cv[4] as number); out[13] = v13 ^ (cv[5] as number); out[14] = v14 ^ (cv[6] as number); out[15] = v15 ^ (cv[7] as number)
}
