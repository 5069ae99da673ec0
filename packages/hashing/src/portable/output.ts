import { BLOCK_LENGTH, PARENT, ROOT } from '../constants.js'
import { compress } from './compress.js'
import { writeWords } from './words.js'

/**
 * The inputs of a compression not yet run: a chunk's last block or a parent node. Whether it is
 * the root is only known at the end, so the choice between a chaining value and root output is
 * left open until then (BLAKE3 spec, section 2.6).
 */
export class OutputNode {
  constructor (
    readonly inputCv: Uint32Array,
    readonly block: Uint32Array,
    readonly counter: number,
    readonly blockLength: number,
    readonly flags: number
  ) {}

  /** The node's chaining value, for its parent. */
  chainingValue (): Uint32Array {
    const out = new Uint32Array(16)
    compress(this.inputCv, this.block, this.counter, this.blockLength, this.flags, out)
    return out.subarray(0, 8)
  }

  /** The node as the root: `outLength` bytes of output, 64 per compression with a rising counter. */
  rootBytes (outLength: number): Uint8Array {
    const result = new Uint8Array(outLength)
    const words = new Uint32Array(16)
    for (let offset = 0, blockIndex = 0; offset < outLength; offset += BLOCK_LENGTH, blockIndex++) {
      compress(this.inputCv, this.block, blockIndex, this.blockLength, this.flags | ROOT, words)
      writeWords(words, result, offset, Math.min(BLOCK_LENGTH, outLength - offset))
    }
    return result
  }
}

/** The node joining two subtrees: its block is their two chaining values. */
export function parentOutput (left: Uint32Array, right: Uint32Array, key: Uint32Array, flags: number): OutputNode {
  const block = new Uint32Array(16)
  block.set(left.subarray(0, 8), 0)
  block.set(right.subarray(0, 8), 8)
  return new OutputNode(key, block, 0, BLOCK_LENGTH, flags | PARENT)
}
