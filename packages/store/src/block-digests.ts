import { hash } from '@resilien/hashing'
import { DIGEST_LENGTH } from './constants.js'
import { blockCount } from './index-records.js'
import type { BlockRecord } from './index-records.js'

export function sameDigest (a: Uint8Array, b: Uint8Array): boolean {
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(b)
}

/** The BLAKE3 digest of every `blockSize` block of `data` (the last one may be shorter), concatenated. */
export function blockDigests (data: Uint8Array, blockSize: number): Uint8Array {
  const count = blockCount(data.byteLength, blockSize)
  const digests = new Uint8Array(count * DIGEST_LENGTH)
  for (let i = 0; i < count; i++) {
    digests.set(hash(data.subarray(i * blockSize, (i + 1) * blockSize)), i * DIGEST_LENGTH)
  }
  return digests
}

/**
 * True when `bytes`, which start at block `firstBlock` and end at a block boundary or at the end
 * of the shard, hash block by block to the digests of the record.
 */
export function blocksMatch (bytes: Uint8Array, firstBlock: number, record: BlockRecord): boolean {
  const { blockSize, digests } = record
  for (let start = 0, block = firstBlock; start < bytes.byteLength; start += blockSize, block++) {
    const expected = digests.subarray(block * DIGEST_LENGTH, (block + 1) * DIGEST_LENGTH)
    if (expected.byteLength !== DIGEST_LENGTH) return false
    if (!sameDigest(hash(bytes.subarray(start, start + blockSize)), expected)) return false
  }
  return true
}

/**
 * Block digests of a stream: whole blocks inside a chunk are hashed in place, only blocks that
 * straddle chunks are copied into a buffer first.
 */
export class BlockDigester {
  readonly #blockSize: number
  readonly #digests: Uint8Array
  #buffer: Uint8Array | undefined
  #filled = 0
  #count = 0

  constructor (size: number, blockSize: number) {
    this.#blockSize = blockSize
    this.#digests = new Uint8Array(blockCount(size, blockSize) * DIGEST_LENGTH)
  }

  update (chunk: Uint8Array): void {
    const blockSize = this.#blockSize
    let offset = 0
    while (offset < chunk.byteLength) {
      if (this.#filled === 0 && chunk.byteLength - offset >= blockSize) {
        this.#push(chunk.subarray(offset, offset + blockSize))
        offset += blockSize
        continue
      }
      this.#buffer ??= new Uint8Array(blockSize)
      const take = Math.min(blockSize - this.#filled, chunk.byteLength - offset)
      this.#buffer.set(chunk.subarray(offset, offset + take), this.#filled)
      this.#filled += take
      offset += take
      if (this.#filled === blockSize) {
        this.#push(this.#buffer)
        this.#filled = 0
      }
    }
  }

  /** The digests, once exactly the announced size has been given. */
  finish (): Uint8Array {
    if (this.#filled > 0 && this.#buffer !== undefined) this.#push(this.#buffer.subarray(0, this.#filled))
    this.#filled = 0
    return this.#digests
  }

  #push (block: Uint8Array): void {
    this.#digests.set(hash(block), this.#count * DIGEST_LENGTH)
    this.#count++
  }
}
