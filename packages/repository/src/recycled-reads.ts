import { TEXT_SNIFF_BYTES } from '@resilien/chunking'
import type { Chunker } from '@resilien/chunking'
import type { BufferPool } from './buffer-pool.js'
import { readLength } from './file-chunks.js'
import { openFileReader } from './file-reader.js'

/**
 * Reads one file into blocks of a pool and cuts it into chunks that are all views of those
 * blocks: the bytes of the chunk still open at the end of a block are copied to the start of the
 * next block before the read goes on, so no chunk spans two blocks and none needs a buffer of
 * its own. (A chunk assembled in a fresh buffer lives across the main thread's answer about its
 * batch, outlives a young collection and then waits for a full one: about a tenth of the data
 * read, as garbage in the old generation.) A block goes back to the pool once the caller says
 * every chunk in it was consumed. A file worker reading 1 GiB so reuses a few blocks instead of
 * allocating 1024.
 */
export class RecycledReads {
  /** Blocks yielded from and not given back, with the file offset where their last chunk ends. */
  private readonly held: Array<{ block: Uint8Array, end: number }> = []
  /** The block being read into: never given back while it is, even when its chunks so far are consumed. */
  private current: Uint8Array | undefined
  /** The caller is done with every file byte before this offset. */
  private released = 0
  /** File bytes read so far. */
  bytesRead = 0

  /** `blocking`: read with synchronous calls (a thread of its own: see openFileReader). */
  constructor (private readonly pool: BufferPool, private readonly blocking = false) {}

  /** Whether chunks of at most `maxSize` bytes always leave room in a block to read on. */
  fits (maxSize: number): boolean {
    return maxSize * 2 <= this.pool.blockBytes && TEXT_SNIFF_BYTES <= this.pool.blockBytes
  }

  /**
   * The file's chunks in order, cut by `chunker` (a fresh one, or reset), or by the one `choose`
   * returns for the file's first TEXT_SNIFF_BYTES bytes (all of it when shorter). The chunker must
   * fit (see fits): its open chunk is always shorter than maxSize, and is carried over with room left.
   */
  async * chunks (path: Uint8Array, expected: number, choose: Chunker | ((head: Uint8Array) => Chunker), signal?: AbortSignal): AsyncGenerator<Uint8Array> {
    let chunker = typeof choose === 'function' ? undefined : this.fitting(choose)
    const file = await openFileReader(path, this.blocking)
    let block = this.pool.take()
    this.current = block
    try {
      /** File offset of block[0]. */
      let blockStart = 0
      /** Bytes of the block filled: the carried open chunk, then what was read. */
      let filled = 0
      /** Where the chunker stands in the block: bytes before it are in yielded chunks or in its open chunk. */
      let scanned = 0
      /** Where the open chunk begins in the block. */
      let chunkStart = 0
      for (;;) {
        signal?.throwIfAborted()
        const wanted = readLength(block.byteLength - filled, expected - (blockStart + filled))
        const bytesRead = await file.read(block, filled, wanted, blockStart + filled)
        this.bytesRead += bytesRead
        filled += bytesRead
        const final = bytesRead === 0
        if (chunker === undefined) {
          // The head is read before the first cut (the block is far larger than the head).
          if (filled < TEXT_SNIFF_BYTES && !final) continue
          chunker = this.fitting((choose as (head: Uint8Array) => Chunker)(block.subarray(0, Math.min(filled, TEXT_SNIFF_BYTES))))
        }
        for (;;) {
          const cut = chunker.findCut(block, scanned, filled, final)
          if (cut < 0) break
          const end = scanned + cut
          this.holdUntil(block, blockStart + end)
          yield block.subarray(chunkStart, end)
          chunkStart = end
          scanned = end
          if (final && end === filled) break
        }
        scanned = filled
        if (final) break
        if (filled < block.byteLength) continue
        // The block is full: carry the open chunk (shorter than maxSize) to a fresh block.
        const next = this.pool.take()
        next.set(block.subarray(chunkStart, filled))
        this.current = next
        this.letGo(block)
        blockStart += chunkStart
        filled -= chunkStart
        scanned = filled
        chunkStart = 0
        block = next
      }
    } finally {
      this.current = undefined
      this.letGo(block)
      await file.close()
    }
  }

  /** `chunker`, or a RangeError when its chunks do not fit the blocks (see fits). */
  private fitting (chunker: Chunker): Chunker {
    if (!this.fits(chunker.maxSize)) throw new RangeError(`chunks of up to ${chunker.maxSize} bytes do not fit blocks of ${this.pool.blockBytes}`)
    return chunker
  }

  /** The caller is done with every file byte before `offset`: blocks whose chunks all end there or earlier go back. */
  release (offset: number): void {
    this.released = Math.max(this.released, offset)
    while (this.held.length > 0) {
      const first = this.held[0] as { block: Uint8Array, end: number }
      if (first.end > this.released || first.block === this.current) return
      this.held.shift()
      this.pool.give(first.block)
    }
  }

  /** The task is over and uses none of its chunks any more: every block goes back. */
  releaseAll (): void {
    for (const { block } of this.held.splice(0)) this.pool.give(block)
  }

  private holdUntil (block: Uint8Array, end: number): void {
    const last = this.held.at(-1)
    if (last?.block === block) last.end = end
    else this.held.push({ block, end })
  }

  /** A block no longer read into: back to the pool unless chunks in it are still in use. */
  private letGo (block: Uint8Array): void {
    if (this.held.at(-1)?.block !== block) this.pool.give(block)
    else this.release(this.released)
  }
}
