import type { GaloisField } from './galois-field.js'
import { SHARD_ALIGNMENT } from './limits.js'
import { packetLength } from './packet-layout.js'
import { runSchedules } from './xor-kernel.js'
import type { Lanes } from './xor-kernel.js'
import { xorSchedule } from './xor-schedule.js'
import type { XorSchedule } from './xor-schedule.js'

const WORD_BYTES = Int32Array.BYTES_PER_ELEMENT

/**
 * targets[r] = sum over s of rows[r][s] * sources[s], for shards of `length` bytes. This is the
 * one linear operation behind encoding (rows = parity rows, sources = data) and rebuilding (rows
 * of an inverted submatrix, sources = k present shards).
 *
 * The body (the length rounded down to SHARD_ALIGNMENT) is coded in the native library's bit-matrix
 * layout, the rest byte by byte (`combineBytes`), so any length works and parity is as long as data.
 */
export function combine (
  field: GaloisField,
  k: number,
  rows: readonly Uint8Array[],
  sources: readonly Uint8Array[],
  targets: readonly Uint8Array[],
  length: number,
  schedules: readonly XorSchedule[] = rows.map((row) => xorSchedule(field, row))
): void {
  const body = alignedBodyLength(length)
  if (body > 0) combineBody(field.w, k, schedules, sources, targets, body)
  if (body < length) combineBytes(field, rows, sources, targets, body, length)
}

/** The part of a shard coded in the bit-matrix layout; the native library takes only this. */
export function alignedBodyLength (length: number): number {
  return length - (length % SHARD_ALIGNMENT)
}

function combineBody (
  w: number, k: number, schedules: readonly XorSchedule[], sources: readonly Uint8Array[], targets: readonly Uint8Array[], body: number
): void {
  const packet = packetLength(w, k, body)
  const blocks = body / (w * packet)
  const words = packet % WORD_BYTES === 0 && sources.every(wordAligned) && targets.every(wordAligned)
  if (words) {
    const view = (shard: Uint8Array): Lanes => new Int32Array(shard.buffer, shard.byteOffset, body / WORD_BYTES)
    runSchedules(schedules, sources.map(view), targets.map(view), w, packet / WORD_BYTES, blocks)
  } else {
    runSchedules(schedules, sources, targets, w, packet, blocks)
  }
}

function wordAligned (shard: Uint8Array): boolean {
  return shard.byteOffset % WORD_BYTES === 0
}

/**
 * Bytes [from, to) coded symbol by symbol: each byte holds 8 / w symbols of w bits, low bits
 * first. Only the last (length mod SHARD_ALIGNMENT) bytes of a shard go this slow way.
 */
export function combineBytes (
  field: GaloisField,
  rows: readonly Uint8Array[],
  sources: readonly Uint8Array[],
  targets: readonly Uint8Array[],
  from: number,
  to: number
): void {
  const w = field.w
  const mask = field.size - 1
  for (let r = 0; r < targets.length; r++) {
    const row = rows[r] as Uint8Array
    const target = targets[r] as Uint8Array
    for (let j = from; j < to; j++) {
      let out = 0
      for (let s = 0; s < row.length; s++) {
        const e = row[s] as number
        const byte = (sources[s] as Uint8Array)[j] as number
        for (let shift = 0; shift < 8; shift += w) out ^= field.mul(e, (byte >> shift) & mask) << shift
      }
      target[j] = out
    }
  }
}
