import { BLOCK_LENGTH, CHUNK_END, CHUNK_START, KEY_LENGTH, OUT_LENGTH } from '../constants.js'
import { OutputNode, parentOutput } from '../portable/output.js'
import { readWords } from '../portable/words.js'

/**
 * hash-wasm's BLAKE3 hasher has no derive_key mode, takes its key only when created (async),
 * and fixes the output length at creation. Its `save()`/`load()` state is what lets us offer
 * every mode synchronously at WASM speed: we write keys and flags into a state before hashing,
 * and compute extended output from the state after. The state is a 4-byte build tag followed
 * by the C struct `blake3_hasher` of hash-wasm's src/blake3.c as laid out on wasm32; the
 * backend checks these offsets against hash-wasm itself when it loads.
 */
export const STATE_TAG_LENGTH = 4

/** Byte offsets within the struct (after the tag). */
export const STATE_LAYOUT = Object.freeze({
  key: 0,
  chunkCv: 32,
  chunkCounter: 64,
  chunkBlock: 72,
  chunkBlockLength: 136,
  chunkBlocksCompressed: 137,
  chunkFlags: 138,
  cvStackLength: 144,
  cvStack: 145,
  /** sizeof(blake3_hasher): 145 + 55 stacked chaining values, padded to 8-byte alignment. */
  size: 1912
})

const TWO_POW_32 = 2 ** 32

/**
 * Turns `state`, a copy of a freshly initialised unkeyed state, into the initial state of a
 * mode: `key` becomes the key and the first chunk's chaining value, `flags` the mode's flag.
 */
export function writeInitialState (state: Uint8Array, key: Uint8Array, flags: number): void {
  const base = STATE_TAG_LENGTH
  state.set(key.subarray(0, KEY_LENGTH), base + STATE_LAYOUT.key)
  state.set(key.subarray(0, KEY_LENGTH), base + STATE_LAYOUT.chunkCv)
  state[base + STATE_LAYOUT.chunkFlags] = flags
}

function readCv (state: Uint8Array, offset: number): Uint32Array {
  const words = new Uint32Array(8)
  readWords(state, offset, words)
  return words
}

/**
 * The root node of everything hashed into `state`, as hash-wasm's finalize computes it: the
 * current chunk's output merged up through every stacked subtree, right to left.
 */
export function rootOutputFromState (state: Uint8Array): OutputNode {
  const base = STATE_TAG_LENGTH
  const L = STATE_LAYOUT
  const key = readCv(state, base + L.key)
  const flags = state[base + L.chunkFlags] as number
  const blockLength = state[base + L.chunkBlockLength] as number
  const blocksCompressed = state[base + L.chunkBlocksCompressed] as number
  const stackLength = state[base + L.cvStackLength] as number
  const cvAt = (i: number): Uint32Array => readCv(state, base + L.cvStack + i * OUT_LENGTH)

  let output: OutputNode
  let remaining: number
  if (blockLength > 0 || blocksCompressed > 0 || stackLength === 0) {
    const view = new DataView(state.buffer, state.byteOffset, state.byteLength)
    const counter = view.getUint32(base + L.chunkCounter, true) + view.getUint32(base + L.chunkCounter + 4, true) * TWO_POW_32
    // Bytes past the block's length are not guaranteed to be zero in a saved state.
    const block = new Uint8Array(BLOCK_LENGTH)
    block.set(state.subarray(base + L.chunkBlock, base + L.chunkBlock + blockLength))
    const blockWords = new Uint32Array(16)
    readWords(block, 0, blockWords)
    const startFlag = blocksCompressed === 0 ? CHUNK_START : 0
    output = new OutputNode(readCv(state, base + L.chunkCv), blockWords, counter, blockLength, flags | startFlag | CHUNK_END)
    remaining = stackLength
  } else {
    // An empty current chunk after whole chunks: the top two stacked values are the last pair.
    remaining = stackLength - 2
    output = parentOutput(cvAt(remaining), cvAt(remaining + 1), key, flags)
  }
  while (remaining > 0) {
    remaining--
    output = parentOutput(cvAt(remaining), output.chainingValue(), key, flags)
  }
  return output
}
