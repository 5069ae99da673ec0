import type { GaloisField } from './galois-field.js'

/**
 * The m x k parity coefficients, built by the steps of @ronomon/reed-solomon's create_matrix so
 * that both backends agree byte for byte. Every row 0 is all ones (parity 0 is the XOR of the
 * data, the cheapest repair of one lost data shard). Rows are Uint8Arrays of k coefficients.
 *
 * - m = 1: only the XOR row.
 * - m = 2: row 1 takes the k cheapest distinct nonzero elements (fewest ones in their bit
 *   matrix, then smallest value); any two distinct nonzero elements keep the code MDS.
 * - m >= 3: a Cauchy matrix 1 / ((y + r) xor (x + c)), columns scaled so row 0 becomes ones,
 *   then each further row scaled by the one of its own elements that minimises its XOR cost.
 *   Scaling rows and columns keeps every square submatrix invertible, so any k shards of the
 *   k + m rebuild the rest.
 */
export function buildParityMatrix (field: GaloisField, k: number, m: number, x: number, y: number): Uint8Array[] {
  const rows: Uint8Array[] = []
  if (m === 0) return rows
  if (m <= 2) {
    rows.push(new Uint8Array(k).fill(1))
    if (m === 2) rows.push(Uint8Array.from(cheapestElements(field, k)))
    return rows
  }
  if (x < 0 || y < 0 || x + k > field.size || y + m > field.size || (x < y ? x + k > y : y + m > x)) {
    throw new RangeError(`Cauchy offsets x=${x}, y=${y} overlap or leave GF(2^${field.w})`)
  }
  for (let r = 0; r < m; r++) {
    const row = new Uint8Array(k)
    for (let c = 0; c < k; c++) row[c] = field.inv((y + r) ^ (x + c))
    rows.push(row)
  }
  const first = rows[0] as Uint8Array
  for (let r = 1; r < m; r++) {
    const row = rows[r] as Uint8Array
    for (let c = 0; c < k; c++) row[c] = field.div(row[c] as number, first[c] as number)
  }
  first.fill(1)
  for (let r = 1; r < m; r++) scaleToCheapest(field, rows[r] as Uint8Array)
  return rows
}

/** Nonzero elements ordered by XOR cost, then value; the first k of them. */
function cheapestElements (field: GaloisField, k: number): number[] {
  const elements: number[] = []
  for (let a = 1; a < field.size; a++) elements.push(a)
  elements.sort((a, b) => ((field.bitCost[a] as number) - (field.bitCost[b] as number)) || a - b)
  if (k > elements.length) throw new RangeError(`k=${k} exceeds the nonzero elements of GF(2^${field.w})`)
  return elements.slice(0, k)
}

/** Divides the row by the element of its own that gives the fewest ones; ties keep the first. */
function scaleToCheapest (field: GaloisField, row: Uint8Array): void {
  let best = cost(field, row, 1)
  let divisor = 1
  let improved = false
  for (const candidate of row) {
    const c = cost(field, row, candidate)
    if (c < best) {
      best = c
      divisor = candidate
      improved = true
    }
  }
  if (!improved) return
  for (let c = 0; c < row.length; c++) row[c] = field.div(row[c] as number, divisor)
}

function cost (field: GaloisField, row: Uint8Array, divisor: number): number {
  let ones = 0
  for (const e of row) ones += field.bitCost[field.div(e, divisor)] as number
  return ones
}
