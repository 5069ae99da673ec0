import { vocabulary, nextWordIndex } from './vocabulary.js'
import type { Rng } from './prng.js'

const SPACE = 0x20
const UPPER_CASE_OFFSET = 0x20
const LOWER_A = 0x61
const LOWER_Z = 0x7a

/** Words per sentence, and the chance of a comma after a word: prose-like punctuation. */
const SENTENCE_WORDS_MIN = 5
const SENTENCE_WORDS_MAX = 22
const COMMA_CHANCE = 0.07
/**
 * Chance that a word is one of the previous word's usual successors: makes recurring phrases,
 * which bring compression to what prose gets (zstd -3 keeps about a third).
 */
const FOLLOW_CHANCE = 0.7
/** Chance that a word is a number instead (dates, amounts, counts). */
const NUMBER_CHANCE = 0.03

/**
 * Appends ASCII text to a growing buffer by copying word bytes: several hundred MB/s in plain
 * JS, which keeps generating a GiB of data set within seconds.
 */
export class TextWriter {
  buf: Buffer
  pos = 0
  private previous = 0

  constructor (capacity: number) {
    this.buf = Buffer.allocUnsafe(Math.max(capacity, 1024))
  }

  private reserve (n: number): void {
    if (this.pos + n <= this.buf.byteLength) return
    const next = Buffer.allocUnsafe(Math.max(this.buf.byteLength * 2, this.pos + n))
    this.buf.copy(next, 0, 0, this.pos)
    this.buf = next
  }

  ascii (s: string): void {
    this.reserve(s.length)
    this.pos += this.buf.write(s, this.pos, 'latin1')
  }

  bytes (data: Uint8Array): void {
    this.reserve(data.byteLength)
    this.buf.set(data, this.pos)
    this.pos += data.byteLength
  }

  byte (b: number): void {
    this.reserve(1)
    this.buf[this.pos++] = b
  }

  /** One Zipf-distributed word; capitalised if asked. */
  word (rng: Rng, capital = false): void {
    const i = nextWordIndex(this.previous, rng.u32(), FOLLOW_CHANCE)
    this.previous = i
    const len = vocabulary.lengths[i] as number
    let src = vocabulary.offsets[i] as number
    this.reserve(len)
    const out = this.buf
    const bytes = vocabulary.bytes
    let p = this.pos
    for (let k = 0; k < len; k++) out[p++] = bytes[src++] as number
    if (capital) {
      const first = out[this.pos] as number
      if (first >= LOWER_A && first <= LOWER_Z) out[this.pos] = first - UPPER_CASE_OFFSET
    }
    this.pos = p
  }

  /** `n` words separated by spaces, no punctuation (titles, list items, cells). */
  words (rng: Rng, n: number, capital = false): void {
    for (let w = 0; w < n; w++) {
      if (w > 0) this.byte(SPACE)
      this.word(rng, capital && w === 0)
    }
  }

  sentence (rng: Rng): void {
    const n = rng.range(SENTENCE_WORDS_MIN, SENTENCE_WORDS_MAX)
    for (let w = 0; w < n; w++) {
      if (w > 0) this.byte(SPACE)
      if (rng.chance(NUMBER_CHANCE)) this.ascii(String(rng.int(rng.chance(0.5) ? 100 : 100000)))
      else this.word(rng, w === 0)
      if (w < n - 1 && rng.chance(COMMA_CHANCE)) this.byte(0x2c)
    }
    this.byte(0x2e)
  }

  sentences (rng: Rng, n: number): void {
    for (let s = 0; s < n; s++) {
      if (s > 0) this.byte(SPACE)
      this.sentence(rng)
    }
  }

  /** The first `size` bytes written (the writer may have run past them by one paragraph). */
  take (size: number): Buffer {
    return this.buf.subarray(0, Math.min(size, this.pos))
  }
}
