import { BLOCK_LENGTH, CHUNK_END, CHUNK_START } from '../constants.js'
import { compress } from './compress.js'
import { OutputNode } from './output.js'
import { readWords } from './words.js'

/** One 1024-byte leaf of the tree, fed incrementally. */
export class ChunkState {
  readonly cv = new Uint32Array(8)
  counter = 0
  private readonly buffer = new Uint8Array(BLOCK_LENGTH)
  private bufferLength = 0
  private blocksCompressed = 0
  private readonly words = new Uint32Array(16)
  private readonly out = new Uint32Array(16)

  constructor (private readonly key: Uint32Array, private readonly flags: number) {
    this.reset(0)
  }

  /** Starts the chunk with index `counter`. */
  reset (counter: number): void {
    this.cv.set(this.key)
    this.counter = counter
    this.buffer.fill(0)
    this.bufferLength = 0
    this.blocksCompressed = 0
  }

  get length (): number {
    return this.blocksCompressed * BLOCK_LENGTH + this.bufferLength
  }

  /** Adds data[start..end); the caller keeps the chunk within CHUNK_LENGTH. */
  update (data: Uint8Array, start: number, end: number): void {
    let pos = start
    while (pos < end) {
      // A full block is compressed only once more input shows it is not the chunk's last.
      if (this.bufferLength === BLOCK_LENGTH) {
        readWords(this.buffer, 0, this.words)
        this.compressWords()
        this.buffer.fill(0)
        this.bufferLength = 0
      }
      // Whole blocks followed by more input go straight from the caller's bytes.
      while (this.bufferLength === 0 && end - pos > BLOCK_LENGTH) {
        readWords(data, pos, this.words)
        this.compressWords()
        pos += BLOCK_LENGTH
      }
      const take = Math.min(BLOCK_LENGTH - this.bufferLength, end - pos)
      this.buffer.set(data.subarray(pos, pos + take), this.bufferLength)
      this.bufferLength += take
      pos += take
    }
  }

  /** The chunk's last block, not yet compressed: a chaining value or the root. */
  output (): OutputNode {
    const block = new Uint32Array(16)
    readWords(this.buffer, 0, block)
    return new OutputNode(this.cv.slice(), block, this.counter, this.bufferLength, this.flags | this.startFlag() | CHUNK_END)
  }

  private startFlag (): number {
    return this.blocksCompressed === 0 ? CHUNK_START : 0
  }

  private compressWords (): void {
    compress(this.cv, this.words, this.counter, BLOCK_LENGTH, this.flags | this.startFlag(), this.out)
    for (let i = 0; i < 8; i++) this.cv[i] = this.out[i] as number
    this.blocksCompressed++
  }
}
