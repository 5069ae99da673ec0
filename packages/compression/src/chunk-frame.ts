import { IntegrityError, InvalidInputError } from '@resilien/types'
import { activeCompression } from './active-backend.js'
import { ALGORITHM_IDS, algorithmOfId } from './algorithm.js'
import type { CompressionAlgorithm } from './algorithm.js'
import { DEFAULT_LEVEL, MAX_LEVEL, MIN_COMPRESS_LENGTH, MIN_LEVEL, MIN_SAVING_DIVISOR } from './constants.js'
import { looksIncompressible } from './incompressible.js'
import type { CompressionBackend } from './types.js'
import { parseZstdFrame } from './zstd-frame.js'

/** Bytes before the payload: the algorithm id. */
export const FRAME_HEADER_LENGTH = 1

export interface CompressChunkOptions {
  /** zstd level, MIN_LEVEL to MAX_LEVEL; DEFAULT_LEVEL (3) when absent. */
  readonly level?: number
  /** Another backend than the active one (tests, benchmarks). */
  readonly backend?: CompressionBackend
  /**
   * The caller has just found that looksIncompressible is false for this chunk: compressChunk
   * does not run the test a second time (it samples up to 4 KiB of every chunk).
   */
  readonly knownCompressible?: boolean
}

export interface DecompressChunkOptions {
  /** Another backend than the active one (tests, benchmarks). */
  readonly backend?: CompressionBackend
}

/** True when a payload of `compressedLength` saves at least 1/MIN_SAVING_DIVISOR of `plainLength`. */
export function savingPays (plainLength: number, compressedLength: number): boolean {
  return compressedLength <= plainLength - plainLength / MIN_SAVING_DIVISOR
}

function frame (algorithm: CompressionAlgorithm, payload: Uint8Array): Uint8Array {
  const result = new Uint8Array(FRAME_HEADER_LENGTH + payload.length)
  result[0] = ALGORITHM_IDS[algorithm]
  result.set(payload, FRAME_HEADER_LENGTH)
  return result
}

function checkLevel (level: number): void {
  if (!Number.isInteger(level) || level < MIN_LEVEL || level > MAX_LEVEL) {
    throw new InvalidInputError(`compression level ${level}: expected an integer from ${MIN_LEVEL} to ${MAX_LEVEL}`)
  }
}

/**
 * Compresses a chunk unless it does not pay; returns a self-describing frame: 1 header byte (the
 * algorithm id) and the payload. It does not pay when the chunk is shorter than
 * MIN_COMPRESS_LENGTH, when looksIncompressible says so, or when zstd saves less than
 * 1/MIN_SAVING_DIVISOR of it; the frame then holds the chunk raw (`none`).
 */
export function compressChunk (plain: Uint8Array, options: CompressChunkOptions = {}): Uint8Array {
  if (!(plain instanceof Uint8Array)) throw new InvalidInputError('compressChunk takes a Uint8Array')
  const level = options.level ?? DEFAULT_LEVEL
  checkLevel(level)
  if (plain.length < MIN_COMPRESS_LENGTH || (options.knownCompressible !== true && looksIncompressible(plain))) return frame('none', plain)
  const backend = options.backend ?? activeCompression.backend
  const compressed = backend.compress(plain, level)
  return savingPays(plain.length, compressed.length) ? frame('zstd', compressed) : frame('none', plain)
}

/** The algorithm a frame's header byte names; InvalidInputError for an empty frame or unknown id. */
export function chunkFrameAlgorithm (frame: Uint8Array): CompressionAlgorithm {
  if (!(frame instanceof Uint8Array) || frame.length < FRAME_HEADER_LENGTH) {
    throw new InvalidInputError('empty chunk frame: it has no algorithm byte')
  }
  const id = frame[0] as number
  const algorithm = algorithmOfId(id)
  if (algorithm === undefined) throw new InvalidInputError(`chunk frame names unknown compression algorithm ${id}`)
  return algorithm
}

/**
 * Reverses compressChunk into new memory. `maxLength` is the chunker's maximum chunk size: a
 * frame that declares or would produce more is refused before anything that large is allocated.
 * InvalidInputError: the frame is not one compressChunk can make (empty, unknown algorithm,
 * malformed or truncated zstd frame, declared size above maxLength). IntegrityError: the zstd
 * blocks do not decode to the size the frame declares.
 */
export function decompressChunk (frame: Uint8Array, maxLength: number, options: DecompressChunkOptions = {}): Uint8Array {
  if (!Number.isSafeInteger(maxLength) || maxLength < 0) {
    throw new InvalidInputError(`maxLength ${maxLength}: expected a non-negative integer`)
  }
  const algorithm = chunkFrameAlgorithm(frame)
  const payload = frame.subarray(FRAME_HEADER_LENGTH)
  if (algorithm === 'none') {
    if (payload.length > maxLength) {
      throw new InvalidInputError(`raw chunk frame holds ${payload.length} bytes, more than the limit of ${maxLength}`)
    }
    // A copy, even when the frame is a Buffer (whose slice() would share memory).
    return new Uint8Array(payload)
  }
  const { contentSize } = parseZstdFrame(payload, maxLength)
  const backend = options.backend ?? activeCompression.backend
  let plain: Uint8Array
  try {
    plain = backend.decompress(payload, contentSize)
  } catch (error) {
    const why = error instanceof Error ? error.message : String(error)
    throw new IntegrityError('zstd payload', `zstd payload does not decode to the ${contentSize} bytes it declares: ${why}`)
  }
  if (plain.length !== contentSize) {
    throw new IntegrityError('zstd payload', `zstd payload decoded to ${plain.length} bytes, not the ${contentSize} it declares`)
  }
  // Backends hand out Buffers; callers get the same plain Uint8Array type from both paths.
  return new Uint8Array(plain.buffer, plain.byteOffset, plain.length)
}
