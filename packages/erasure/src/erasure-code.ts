import { codeParameters } from './code-parameters.js'
import { galoisField } from './galois-field.js'
import type { GaloisField } from './galois-field.js'
import { buildParityMatrix } from './parity-matrix.js'
import { xorSchedule } from './xor-schedule.js'
import type { XorSchedule } from './xor-schedule.js'

/** Everything fixed by (k, m): the field, the parity coefficients and their XOR schedules. */
export interface ErasureCode {
  readonly k: number
  readonly m: number
  readonly field: GaloisField
  /** m rows of k coefficients: parity j = sum over c of parityRows[j][c] * data[c]. */
  readonly parityRows: readonly Uint8Array[]
  readonly paritySchedules: readonly XorSchedule[]
}

const codes = new Map<number, ErasureCode>()

/** The code of (k, m), built once; callers have validated k and m. */
export function erasureCode (k: number, m: number): ErasureCode {
  const key = k * 256 + m
  let code = codes.get(key)
  if (code === undefined) {
    const { w, polynomial, x, y } = codeParameters(k, m)
    const field = galoisField(w, polynomial)
    const parityRows = buildParityMatrix(field, k, m, x, y)
    code = { k, m, field, parityRows, paritySchedules: parityRows.map((row) => xorSchedule(field, row)) }
    codes.set(key, code)
  }
  return code
}

/** Row i of the generator [identity; parity]: the coefficients that make shard i from the data. */
export function generatorRow (code: ErasureCode, index: number): Uint8Array {
  if (index >= code.k) return code.parityRows[index - code.k] as Uint8Array
  const row = new Uint8Array(code.k)
  row[index] = 1
  return row
}
