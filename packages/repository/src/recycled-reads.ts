import { open } from 'node:fs/promises'
import type { BufferPool } from './buffer-pool.js'

/**
 * Reads one file in blocks of a pool and gives each block back once the caller says every byte
 * of it was consumed. Chunks are views into the blocks (chunkStream copies only the ones that
 * span two), so a block is free when the file offset the caller has finished with passes its
 * end: every chunk in it is then done. A file worker reading 1 GiB so reuses a few blocks
 * instead of allocating 1024.
 */
export class RecycledReads {
  /** Blocks yielded and not given back, with the file offset where their bytes end. */
  private readonly held: Array<{ block: Uint8Array, end: number }> = []

  constructor (private readonly pool: BufferPool) {}

  /** The file's bytes in order; full reads are views of pool blocks, a short tail may be a fresh buffer. */
  async * read (path: Uint8Array, expected: number, signal?: AbortSignal): AsyncGenerator<Uint8Array> {
    const handle = await open(Buffer.from(path), 'r')
    try {
      let position = 0
      for (;;) {
        signal?.throwIfAborted()
        // One byte past the expected size, to see a file that grew (as readFileBuffers does).
        const wanted = Math.max(1, Math.min(this.pool.blockBytes, expected - position + 1))
        const pooled = wanted === this.pool.blockBytes
        const block = pooled ? this.pool.take() : Buffer.allocUnsafe(wanted)
        const { bytesRead } = await handle.read(block, 0, wanted, position)
        if (bytesRead === 0) {
          if (pooled) this.pool.give(block)
          break
        }
        position += bytesRead
        if (pooled) this.held.push({ block, end: position })
        yield bytesRead === wanted ? block : block.subarray(0, bytesRead)
      }
    } finally {
      await handle.close()
    }
  }

  /** The caller is done with every file byte before `offset`: blocks that end there or earlier go back. */
  release (offset: number): void {
    while (this.held.length > 0 && (this.held[0] as { end: number }).end <= offset) {
      this.pool.give((this.held.shift() as { block: Uint8Array }).block)
    }
  }

  /** The task is over and uses none of its chunks any more: every block goes back. */
  releaseAll (): void {
    for (const { block } of this.held.splice(0)) this.pool.give(block)
  }
}
