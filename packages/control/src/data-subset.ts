import { InvalidInputError } from '@resilien/types'
import type { DataSubset } from '@resilien/types'
import { parseSize } from './units.js'

/*
 * `check --read-data-subset` as typed: `10%`, `1/7`, or a size with its unit (`500MiB`, `2G`:
 * a single letter is a power of 1024, as restic reads it). See DataSubset. Unlike restic, a bare
 * number is a percentage (it was the only form here before), not refused.
 */

const HOW = 'use a percentage (10%), a group n/t (1/7), or a size (500MiB)'

/** Parses what the user typed; InvalidInputError names the option and the three forms. */
export function parseDataSubset (text: string): DataSubset {
  const trimmed = text.trim()
  const group = /^(\d+)\/(\d+)$/.exec(trimmed)
  if (group !== null) return checkedDataSubset({ kind: 'group', n: Number(group[1]), of: Number(group[2]) })
  const percent = /^(\d+(?:\.\d+)?)%?$/.exec(trimmed)
  if (percent !== null) return checkedDataSubset({ kind: 'share', share: Number(percent[1]) / 100 })
  let bytes: number
  try {
    bytes = parseSize(trimmed, '--read-data-subset')
  } catch {
    throw new InvalidInputError(`--read-data-subset "${text}": ${HOW}`)
  }
  return checkedDataSubset({ kind: 'bytes', bytes })
}

/** The subset if it makes sense, else InvalidInputError (the node checks what a client sent). */
export function checkedDataSubset (subset: DataSubset): DataSubset {
  if (typeof subset !== 'object' || subset === null) throw new InvalidInputError(`--read-data-subset: ${HOW}`)
  switch (subset.kind) {
    case 'share':
      if (!(subset.share > 0 && subset.share <= 1)) throw new InvalidInputError(`--read-data-subset: a percentage must be in (0, 100]; ${HOW}`)
      return subset
    case 'group':
      if (!(Number.isSafeInteger(subset.of) && subset.of >= 1 && subset.of <= 0xffffffff && Number.isSafeInteger(subset.n) && subset.n >= 1 && subset.n <= subset.of)) {
        throw new InvalidInputError(`--read-data-subset ${String(subset.n)}/${String(subset.of)}: a group n/t needs 1 <= n <= t <= 4294967295`)
      }
      return subset
    case 'bytes':
      if (!(Number.isSafeInteger(subset.bytes) && subset.bytes > 0)) throw new InvalidInputError(`--read-data-subset: a size must be more than 0 bytes; ${HOW}`)
      return subset
    default:
      throw new InvalidInputError(`--read-data-subset: ${HOW}`)
  }
}
