import { sealChunkInto, sealChunk, SEAL_OVERHEAD } from '@resilien/crypto'
import { SHARD_ALIGNMENT } from '@resilien/erasure'
import { blobAad, TRAILER_AAD } from './format.js'
import type { BlobType } from './format.js'
import { encodeEntries, TRAILER_LENGTH_BYTES } from './pack-format.js'
import type { PackEntry } from './pack-format.js'
import type { BufferPool } from './buffer-pool.js'

/**
 * Room kept in a pack buffer after target + one largest blob for the sealed trailer and the
 * zero padding to k aligned shards, so a pack is finished in place: ~1400 entries, more than a
 * pack of data chunks of the smallest allowed size holds. A pack with a longer trailer (many tiny
 * tree blobs) is finished into a new buffer instead.
 */
export const PACK_TAIL_RESERVE = 64 * 1024

/** A pack ready to be erasure-coded and stored, with the list of what it holds. */
export interface FinishedPack {
  bytes: Uint8Array
  /**
   * `bytes` followed by zeros up to k equal, aligned data shards: the erasure coder takes its
   * data shards as views of it instead of copying the pack once more.
   */
  padded: Uint8Array
  entries: PackEntry[]
  /** Hands the pack's buffer back to the packer's pool: call it once the bytes are stored and no longer read. */
  release?: () => void
}

/** Length of k equal data shards, each a multiple of the erasure coder's alignment, holding `length` bytes. */
export function paddedPackLength (length: number, k: number): number {
  const shard = Math.ceil(Math.ceil(length / k) / SHARD_ALIGNMENT) * SHARD_ALIGNMENT
  return shard * k
}

/** Bytes of a pack buffer for packs of `targetSize` with blobs up to `maxBlobSize`: see PACK_TAIL_RESERVE. */
export function packBufferBytes (targetSize: number, maxBlobSize: number, k: number): number {
  return paddedPackLength(targetSize + maxBlobSize + SEAL_OVERHEAD + PACK_TAIL_RESERVE, k)
}

/**
 * Appends sealed blobs to one pack buffer until it reaches its target size. The buffer has room
 * for the target plus one largest blob, so sealing writes straight into it (no copy) and a pack
 * never exceeds target + one blob; trailer and padding are written behind the blobs, so the
 * finished pack is the buffer itself. With a pool, buffers come from it and go back through
 * FinishedPack.release once stored: packs in flight reuse a few buffers.
 */
export class Packer {
  private buffer: Uint8Array | undefined
  private offset = 0
  private entries: PackEntry[] = []
  private readonly bufferBytes: number

  constructor (
    private readonly dataKey: Uint8Array,
    private readonly metadataKey: Uint8Array,
    private readonly targetSize: number,
    private readonly maxBlobSize: number,
    private readonly k: number,
    private readonly pool?: BufferPool,
    /**
     * Start each pack in a buffer of this many bytes (rounded to the alignment) and grow it as
     * blobs arrive, up to a whole pack buffer: for a packer that may hold a pack open for a long
     * time with few bytes in it (tree blobs, which a backup writes as its folders complete).
     * Without it, each pack takes a whole pack buffer (from the pool when there is one).
     */
    private readonly growFrom?: number
  ) {
    this.bufferBytes = packBufferBytes(targetSize, maxBlobSize, k)
    if (pool !== undefined && pool.blockBytes !== this.bufferBytes) throw new RangeError(`pack buffer pool holds ${pool.blockBytes}-byte blocks, packs need ${this.bufferBytes}`)
  }

  /**
   * The current pack's buffer with room for `bytes` more sealed bytes and the tail reserve,
   * taken when its first blob arrives (and, for a growing packer, grown when needed).
   */
  private current (bytes: number): Uint8Array {
    if (this.growFrom === undefined) {
      this.buffer ??= this.pool?.take() ?? Buffer.allocUnsafeSlow(this.bufferBytes)
      return this.buffer
    }
    const needed = Math.min(this.bufferBytes, paddedPackLength(this.offset + bytes + PACK_TAIL_RESERVE, this.k))
    const have = this.buffer?.byteLength ?? 0
    if (have >= needed) return this.buffer as Uint8Array
    const size = have === 0 ? Math.max(needed, paddedPackLength(this.growFrom, this.k)) : Math.max(needed, Math.min(this.bufferBytes, have * 2))
    const grown = Buffer.allocUnsafeSlow(Math.min(this.bufferBytes, size))
    if (this.buffer !== undefined) grown.set(this.buffer.subarray(0, this.offset), 0)
    this.buffer = grown
    return grown
  }

  /** Bytes of sealed blobs in the current pack. */
  get size (): number {
    return this.offset
  }

  get count (): number {
    return this.entries.length
  }

  get full (): boolean {
    return this.offset >= this.targetSize
  }

  /** Seals `frame` (a compressed chunk frame) into the pack; `id` and `type` are bound as associated data. */
  add (type: BlobType, id: Uint8Array, frame: Uint8Array, rawLength: number): PackEntry {
    if (frame.byteLength > this.maxBlobSize) throw new RangeError(`blob of ${frame.byteLength} bytes exceeds the pack's blob limit ${this.maxBlobSize}`)
    if (this.offset + frame.byteLength + SEAL_OVERHEAD > this.room) {
      throw new RangeError('pack is full: finish it before adding more')
    }
    const buffer = this.current(frame.byteLength + SEAL_OVERHEAD)
    const length = sealChunkInto(this.dataKey, frame, buffer, this.offset, blobAad(type, id))
    const entry: PackEntry = { type, id, offset: this.offset, length, rawLength }
    this.entries.push(entry)
    this.offset += length
    return entry
  }

  /** Appends a blob sealed elsewhere (a seal worker); it must have been sealed with this pack's key and the blob's aad. */
  addSealed (type: BlobType, id: Uint8Array, sealed: Uint8Array, rawLength: number): PackEntry {
    if (this.offset + sealed.byteLength > this.room) throw new RangeError('pack is full: finish it before adding more')
    const buffer = this.current(sealed.byteLength)
    buffer.set(sealed, this.offset)
    const entry: PackEntry = { type, id, offset: this.offset, length: sealed.byteLength, rawLength }
    this.entries.push(entry)
    this.offset += sealed.byteLength
    return entry
  }

  /** Room for blobs: the buffer less its tail reserve (a pack never exceeds target + one blob). */
  private get room (): number {
    return this.targetSize + this.maxBlobSize + SEAL_OVERHEAD
  }

  /**
   * Closes the current pack with its sealed trailer and starts a new one; undefined when empty.
   * The pack is finished in its own buffer when the trailer fits (the usual case), else copied
   * into a new one and the buffer kept for the next pack.
   */
  finish (): FinishedPack | undefined {
    const buffer = this.buffer
    if (this.entries.length === 0 || buffer === undefined) return undefined
    const trailer = sealChunk(this.metadataKey, encodeEntries(this.entries), TRAILER_AAD)
    const total = this.offset + trailer.byteLength + TRAILER_LENGTH_BYTES
    const paddedLength = paddedPackLength(total, this.k)
    const inPlace = paddedLength <= buffer.byteLength
    const block = inPlace ? buffer : Buffer.allocUnsafe(paddedLength)
    // A plain Uint8Array, not a Buffer: a store that keeps what it is given by `slice()` (which
    // shares a Buffer's memory) must get a copy, since this buffer is reused once stored.
    const padded = new Uint8Array(block.buffer, block.byteOffset, paddedLength)
    if (!inPlace) padded.set(buffer.subarray(0, this.offset), 0)
    padded.set(trailer, this.offset)
    new DataView(padded.buffer, padded.byteOffset, paddedLength).setUint32(this.offset + trailer.byteLength, trailer.byteLength, true)
    padded.fill(0, total)
    const finished: FinishedPack = { bytes: padded.subarray(0, total), padded, entries: this.entries }
    if (inPlace) {
      this.buffer = undefined
      const pool = this.pool
      let released = false
      if (pool !== undefined) {
        finished.release = () => {
          if (!released) pool.give(buffer)
          released = true
        }
      }
    } else if (this.growFrom !== undefined) {
      // A growing packer starts its next pack small again rather than keeping a grown buffer.
      this.buffer = undefined
    }
    this.entries = []
    this.offset = 0
    return finished
  }
}
