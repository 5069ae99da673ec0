import { combine } from './combine.js'
import { planDecode } from './decode-plan.js'
import { erasureCode } from './erasure-code.js'
import type { ErasureCode } from './erasure-code.js'
import type { ErasureBackend } from './erasure-backend.js'
import { checkData, checkStripe } from './validate.js'
import type { XorSchedule } from './xor-schedule.js'

/**
 * TypeScript on the calling thread: XORs of 32-bit words in the native library's bit-matrix
 * layout. It runs wherever Node runs, and codes every (k, m), including those the native
 * library does not take.
 */
export const portableBackend: ErasureBackend = {
  name: 'portable',
  async encode (k, m, data) {
    const length = checkData(k, m, data)
    return encodeParity(erasureCode(k, m), data, length)
  },
  async reconstruct (k, m, shards) {
    const { length, present } = checkStripe(k, m, shards)
    return rebuild(erasureCode(k, m), shards, length, present)
  }
}

/** The m parity shards of checked data. */
export function encodeParity (code: ErasureCode, data: readonly Uint8Array[], length: number): Uint8Array[] {
  const parity = code.parityRows.map(() => new Uint8Array(length))
  combine(code.field, code.k, code.parityRows, data, parity, length, code.paritySchedules)
  return parity
}

/** All k + m shards of a checked stripe: present ones as given, missing ones rebuilt. */
export function rebuild (
  code: ErasureCode, shards: ReadonlyArray<Uint8Array | undefined>, length: number, present: readonly boolean[]
): Uint8Array[] {
  const { k } = code
  const out = Array.from(shards)
  const plan = planDecode(code, present)
  if (plan.missingData.length > 0) {
    const sources = plan.sources.map((i) => out[i] as Uint8Array)
    const targets = plan.missingData.map(() => new Uint8Array(length))
    combine(code.field, k, plan.dataRows, sources, targets, length)
    plan.missingData.forEach((i, j) => { out[i] = targets[j] })
  }
  if (plan.missingParity.length > 0) {
    const data = out.slice(0, k) as Uint8Array[]
    const rows = plan.missingParity.map((i) => code.parityRows[i - k] as Uint8Array)
    const schedules = plan.missingParity.map((i) => code.paritySchedules[i - k] as XorSchedule)
    const targets = plan.missingParity.map(() => new Uint8Array(length))
    combine(code.field, k, rows, data, targets, length, schedules)
    plan.missingParity.forEach((i, j) => { out[i] = targets[j] })
  }
  return out as Uint8Array[]
}
