import { CHUNK_LENGTH, OUT_LENGTH } from '../constants.js'
import type { Hasher } from '../types.js'
import { ChunkState } from './chunk-state.js'
import { parentOutput } from './output.js'
import type { OutputNode } from './output.js'

/**
 * BLAKE3 in plain TypeScript, any mode and any output length: the reference algorithm with a
 * stack of subtree chaining values. Slow (tens of MB/s); it serves what the fast libraries
 * lack, on small inputs, and is the last resort when neither library loads.
 */
export class PortableHasher implements Hasher {
  private readonly chunk: ChunkState
  private readonly cvStack: Uint32Array[] = []

  /** `key` is the 8-word key (the IV when unkeyed); `flags` the mode's domain flag. */
  constructor (private readonly key: Uint32Array, private readonly flags: number) {
    this.chunk = new ChunkState(key, flags)
  }

  update (data: Uint8Array): this {
    let pos = 0
    while (pos < data.byteLength) {
      // A full chunk is closed only once more input shows it is not the root.
      if (this.chunk.length === CHUNK_LENGTH) {
        const totalChunks = this.chunk.counter + 1
        this.pushChunkCv(this.chunk.output().chainingValue(), totalChunks)
        this.chunk.reset(totalChunks)
      }
      const take = Math.min(CHUNK_LENGTH - this.chunk.length, data.byteLength - pos)
      this.chunk.update(data, pos, pos + take)
      pos += take
    }
    return this
  }

  digest (outLength = OUT_LENGTH): Uint8Array {
    return this.rootOutput().rootBytes(outLength)
  }

  private rootOutput (): OutputNode {
    let output = this.chunk.output()
    for (let i = this.cvStack.length - 1; i >= 0; i--) {
      output = parentOutput(this.cvStack[i] as Uint32Array, output.chainingValue(), this.key, this.flags)
    }
    return output
  }

  /** Merges completed subtrees: one merge per trailing zero bit of the chunk count. */
  private pushChunkCv (cv: Uint32Array, totalChunks: number): void {
    let merged = cv
    let total = totalChunks
    while (total % 2 === 0) {
      merged = parentOutput(this.cvStack.pop() as Uint32Array, merged, this.key, this.flags).chainingValue()
      total /= 2
    }
    this.cvStack.push(merged)
  }
}
