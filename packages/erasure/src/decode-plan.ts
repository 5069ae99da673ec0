import type { ErasureCode } from './erasure-code.js'
import { generatorRow } from './erasure-code.js'

/** How to rebuild the missing shards of a stripe from k present ones. */
export interface DecodePlan {
  /** The k shard indices read: the first k present ones. */
  readonly sources: readonly number[]
  /** Missing data shard indices, and for each the coefficients over `sources` that rebuild it. */
  readonly missingData: readonly number[]
  readonly dataRows: readonly Uint8Array[]
  /** Missing parity shard indices (k..k+m-1), re-encoded once the data is whole. */
  readonly missingParity: readonly number[]
}

/** `present[i]` tells whether shard i is there; callers have checked at least k are. */
export function planDecode (code: ErasureCode, present: readonly boolean[]): DecodePlan {
  const { k } = code
  const sources: number[] = []
  const missingData: number[] = []
  const missingParity: number[] = []
  present.forEach((here, i) => {
    if (here && sources.length < k) sources.push(i)
    if (!here) (i < k ? missingData : missingParity).push(i)
  })
  if (missingData.length === 0) return { sources, missingData, dataRows: [], missingParity }
  const inverse = invert(code, sources.map((i) => generatorRow(code, i)))
  return { sources, missingData, dataRows: missingData.map((i) => inverse[i] as Uint8Array), missingParity }
}

/** Gauss-Jordan inversion over the code's field; the rows of an MDS code are always invertible. */
function invert (code: ErasureCode, rows: readonly Uint8Array[]): Uint8Array[] {
  const { field } = code
  const n = rows.length
  const a = rows.map((row) => Uint8Array.from(row))
  const inv = rows.map((_, i) => {
    const row = new Uint8Array(n)
    row[i] = 1
    return row
  })
  for (let col = 0; col < n; col++) {
    let pivot = col
    while (pivot < n && (a[pivot] as Uint8Array)[col] === 0) pivot++
    if (pivot === n) throw new Error(`internal: singular decoding matrix for k=${code.k}, m=${code.m}`)
    swap(a, col, pivot)
    swap(inv, col, pivot)
    const ar = a[col] as Uint8Array
    const ir = inv[col] as Uint8Array
    const scale = field.inv(ar[col] as number)
    for (let c = 0; c < n; c++) {
      ar[c] = field.mul(ar[c] as number, scale)
      ir[c] = field.mul(ir[c] as number, scale)
    }
    for (let r = 0; r < n; r++) {
      const factor = r === col ? 0 : (a[r] as Uint8Array)[col] as number
      if (factor === 0) continue
      const other = a[r] as Uint8Array
      const otherInv = inv[r] as Uint8Array
      for (let c = 0; c < n; c++) {
        other[c] = (other[c] as number) ^ field.mul(factor, ar[c] as number)
        otherInv[c] = (otherInv[c] as number) ^ field.mul(factor, ir[c] as number)
      }
    }
  }
  return inv
}

function swap (rows: Uint8Array[], i: number, j: number): void {
  if (i === j) return
  const t = rows[i] as Uint8Array
  rows[i] = rows[j] as Uint8Array
  rows[j] = t
}
