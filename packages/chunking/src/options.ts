import { InvalidInputError } from '@resilien/types'
import { createGearTable } from './gear.js'
import { cutMask } from './masks.js'
import { createScanTable } from './scan-region.js'

export interface ChunkerOptions {
  /** No chunk but the last is shorter than this: the scan for a cut starts here. */
  minSize?: number
  /** Target size, a power of two: it sets how many hash bits a cut must zero. */
  avgSize?: number
  /** No chunk is longer than this: a cut is forced here. */
  maxSize?: number
  /** How strongly sizes are pulled towards avgSize: mask bits added before it, removed after. */
  normalization?: 0 | 1 | 2 | 3
  /** 32 bytes that generate the gear table; a secret per repository hides where cuts fall. */
  gearSeed?: Uint8Array
}

/** The design's defaults (DESIGN.md): 64 KiB average dedups a day's changes well (performance.md). */
export const DEFAULT_CHUNKER_OPTIONS: Required<Omit<ChunkerOptions, 'gearSeed'>> = Object.freeze({
  minSize: 16 * 1024,
  avgSize: 64 * 1024,
  maxSize: 512 * 1024,
  normalization: 2
})

/** Below this a chunk costs more in index entries and per-chunk overhead than dedup can save. */
export const MIN_ALLOWED_SIZE = 64

/**
 * Chunks are whole buffers held in memory, so their size is bounded well below a Pi's RAM. It also
 * keeps masks inside the hash: avgSize < 2^26, plus normalization 3, needs at most 28 of the
 * GEAR_MASK_BITS = 31 usable bits.
 */
export const MAX_ALLOWED_SIZE = 64 * 1024 * 1024

const MAX_NORMALIZATION = 3

/** Everything the scanning loop needs, checked and precomputed once per chunker. */
export interface ChunkerParams {
  readonly minSize: number
  readonly avgSize: number
  readonly maxSize: number
  readonly normalization: number
  /** Mask tested before avgSize: more bits, so cuts there are rarer. */
  readonly maskSmall: number
  /** Mask tested from avgSize on: fewer bits, so cuts there are likelier. */
  readonly maskLarge: number
  /** The gear table and the same shifted left by one, as scanRegion reads them. */
  readonly scanTable: Uint32Array
}

function checkSize (name: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < MIN_ALLOWED_SIZE || value > MAX_ALLOWED_SIZE) {
    throw new InvalidInputError(`chunker ${name} must be an integer in [${MIN_ALLOWED_SIZE}, ${MAX_ALLOWED_SIZE}], got ${String(value)}`)
  }
  return value
}

/** Validates options against the defaults and precomputes masks and gear tables. */
export function resolveChunkerParams (options: ChunkerOptions = {}): ChunkerParams {
  if (typeof options !== 'object' || options === null) throw new InvalidInputError('chunker options must be an object')
  const minSize = checkSize('minSize', options.minSize ?? DEFAULT_CHUNKER_OPTIONS.minSize)
  const avgSize = checkSize('avgSize', options.avgSize ?? DEFAULT_CHUNKER_OPTIONS.avgSize)
  const maxSize = checkSize('maxSize', options.maxSize ?? DEFAULT_CHUNKER_OPTIONS.maxSize)
  const normalization = options.normalization ?? DEFAULT_CHUNKER_OPTIONS.normalization
  if (!(minSize < avgSize && avgSize < maxSize)) {
    throw new InvalidInputError(`chunker sizes must satisfy minSize < avgSize < maxSize, got ${minSize}, ${avgSize}, ${maxSize}`)
  }
  // avgSize must be 2^bits: a cut needs `bits` hash bits at zero, so sizes between powers have no mask.
  const bits = Math.log2(avgSize)
  if (!Number.isInteger(bits)) throw new InvalidInputError(`chunker avgSize must be a power of two, got ${avgSize}`)
  if (!Number.isInteger(normalization) || normalization < 0 || normalization > MAX_NORMALIZATION) {
    throw new InvalidInputError(`chunker normalization must be 0, 1, 2 or 3, got ${String(normalization)}`)
  }
  return {
    minSize,
    avgSize,
    maxSize,
    normalization,
    maskSmall: cutMask(bits + normalization),
    maskLarge: cutMask(bits - normalization),
    scanTable: createScanTable(createGearTable(options.gearSeed))
  }
}
