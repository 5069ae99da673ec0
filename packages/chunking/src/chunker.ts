import { InvalidInputError } from '@resilien/types'
import { resolveChunkerParams } from './options.js'
import type { ChunkerOptions } from './options.js'
import { scanHash, scanRegion } from './scan-region.js'

/**
 * Low-level, synchronous FastCDC scanner over a stream fed piece by piece. It keeps the state of
 * the current, unfinished chunk (its length so far and the gear hash), so the bytes of a chunk are
 * hashed once however the stream is split, and it never allocates.
 */
export interface Chunker {
  readonly minSize: number
  readonly avgSize: number
  readonly maxSize: number
  readonly normalization: number
  /** Bytes of the current, unfinished chunk that earlier calls consumed without finding its end. */
  readonly pending: number
  /**
   * Offset (relative to `start`) of the next cut point in buf[start..end), given that `end` is the
   * end of input when `final` is true. buf[start..end) continues the stream right after the bytes
   * of earlier calls. A result r >= 0 means the current chunk (its `pending` earlier bytes, then
   * buf[start..start + r)) ends there; the chunker then starts a new chunk, so call again from
   * start + r. With `final`, r may be 0: the pending bytes alone are the last chunk.
   * Returns -1 when more input is needed: buf[start..end) was consumed into the pending chunk.
   * With `final`, -1 means no bytes are left at all (end of input right after a cut).
   */
  findCut: (buf: Uint8Array, start: number, end: number, final: boolean) => number
  /** Forgets the pending chunk, to scan a new stream. */
  reset: () => void
}

class FastCdcChunker implements Chunker {
  readonly minSize: number
  readonly avgSize: number
  readonly maxSize: number
  readonly normalization: number
  private readonly maskSmall: number
  private readonly maskLarge: number
  private readonly scanTable: Uint32Array
  pending = 0
  /** Gear hash of the pending chunk's scanned bytes, as int32. */
  private hash = 0

  constructor (options?: ChunkerOptions) {
    const p = resolveChunkerParams(options)
    this.minSize = p.minSize
    this.avgSize = p.avgSize
    this.maxSize = p.maxSize
    this.normalization = p.normalization
    this.maskSmall = p.maskSmall
    this.maskLarge = p.maskLarge
    this.scanTable = p.scanTable
  }

  reset (): void {
    this.pending = 0
    this.hash = 0
  }

  findCut (buf: Uint8Array, start: number, end: number, final: boolean): number {
    if (!(buf instanceof Uint8Array) || !Number.isInteger(start) || !Number.isInteger(end) ||
      start < 0 || start > end || end > buf.length) {
      throw new InvalidInputError('findCut needs a Uint8Array and integers 0 <= start <= end <= buf.length')
    }
    // Where the current chunk began, in buf's coordinates (negative when it began in earlier input).
    const base = start - this.pending
    let hash = this.hash
    // Cut-point skipping: the first minSize - 1 bytes are never hashed, so no chunk is shorter than minSize.
    let i = base + this.minSize - 1
    if (i < start) i = start

    // Normalized chunking: up to avgSize the stricter mask, from there to maxSize the looser one.
    const normalEnd = base + this.avgSize
    let stop = normalEnd < end ? normalEnd : end
    if (i < stop) {
      const cut = scanRegion(buf, i, stop, hash, this.scanTable, this.maskSmall)
      if (cut >= 0) { this.reset(); return cut - start }
      hash = scanHash
      i = stop
    }
    const maxEnd = base + this.maxSize
    stop = maxEnd < end ? maxEnd : end
    if (i < stop) {
      const cut = scanRegion(buf, i, stop, hash, this.scanTable, this.maskLarge)
      if (cut >= 0) { this.reset(); return cut - start }
      hash = scanHash
      i = stop
    }

    if (i === maxEnd) { this.reset(); return i - start }
    if (final) {
      if (this.pending === 0 && start === end) return -1
      this.reset()
      return end - start
    }
    this.pending += end - start
    this.hash = hash
    return -1
  }
}

/** A FastCDC chunker with validated options; throws InvalidInputError on bad options. */
export function createChunker (options?: ChunkerOptions): Chunker {
  return new FastCdcChunker(options)
}
