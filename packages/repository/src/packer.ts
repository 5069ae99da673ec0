import { sealChunkInto, sealChunk, SEAL_OVERHEAD } from '@resilien/crypto'
import { SHARD_ALIGNMENT } from '@resilien/erasure'
import { blobAad, TRAILER_AAD } from './format.js'
import type { BlobType } from './format.js'
import { encodeEntries, TRAILER_LENGTH_BYTES } from './pack-format.js'
import type { PackEntry } from './pack-format.js'

/** A pack ready to be erasure-coded and stored, with the list of what it holds. */
export interface FinishedPack {
  bytes: Uint8Array
  /**
   * `bytes` followed by zeros up to k equal, aligned data shards: the erasure coder takes its
   * data shards as views of it instead of copying the pack once more.
   */
  padded: Uint8Array
  entries: PackEntry[]
}

/** Length of k equal data shards, each a multiple of the erasure coder's alignment, holding `length` bytes. */
export function paddedPackLength (length: number, k: number): number {
  const shard = Math.ceil(Math.ceil(length / k) / SHARD_ALIGNMENT) * SHARD_ALIGNMENT
  return shard * k
}

/**
 * Appends sealed blobs to one pack buffer until it reaches its target size. The buffer is
 * allocated once per pack with room for the target plus one largest blob, so sealing writes
 * straight into it (no copy) and a pack never exceeds target + one blob.
 */
export class Packer {
  private buffer: Uint8Array
  private offset = 0
  private entries: PackEntry[] = []

  constructor (
    private readonly dataKey: Uint8Array,
    private readonly metadataKey: Uint8Array,
    private readonly targetSize: number,
    private readonly maxBlobSize: number,
    private readonly k: number
  ) {
    this.buffer = this.allocate()
  }

  private allocate (): Uint8Array {
    return Buffer.allocUnsafe(this.targetSize + this.maxBlobSize + SEAL_OVERHEAD)
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
    if (this.offset + frame.byteLength + SEAL_OVERHEAD > this.buffer.byteLength) {
      throw new RangeError('pack is full: finish it before adding more')
    }
    const length = sealChunkInto(this.dataKey, frame, this.buffer, this.offset, blobAad(type, id))
    const entry: PackEntry = { type, id, offset: this.offset, length, rawLength }
    this.entries.push(entry)
    this.offset += length
    return entry
  }

  /** Appends a blob sealed elsewhere (a seal worker); it must have been sealed with this pack's key and the blob's aad. */
  addSealed (type: BlobType, id: Uint8Array, sealed: Uint8Array, rawLength: number): PackEntry {
    if (this.offset + sealed.byteLength > this.buffer.byteLength) throw new RangeError('pack is full: finish it before adding more')
    this.buffer.set(sealed, this.offset)
    const entry: PackEntry = { type, id, offset: this.offset, length: sealed.byteLength, rawLength }
    this.entries.push(entry)
    this.offset += sealed.byteLength
    return entry
  }

  /** Closes the current pack with its sealed trailer and starts a new one; undefined when empty. */
  finish (): FinishedPack | undefined {
    if (this.entries.length === 0) return undefined
    const trailer = sealChunk(this.metadataKey, encodeEntries(this.entries), TRAILER_AAD)
    const total = this.offset + trailer.byteLength + TRAILER_LENGTH_BYTES
    const padded = Buffer.allocUnsafe(paddedPackLength(total, this.k))
    padded.set(this.buffer.subarray(0, this.offset), 0)
    padded.set(trailer, this.offset)
    padded.writeUInt32LE(trailer.byteLength, this.offset + trailer.byteLength)
    padded.fill(0, total)
    const finished = { bytes: padded.subarray(0, total), padded, entries: this.entries }
    this.entries = []
    this.offset = 0
    return finished
  }
}
