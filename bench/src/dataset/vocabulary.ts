import { Rng } from './prng.js'

/**
 * A fixed vocabulary with Zipf-distributed word frequencies: text made from it compresses like
 * prose (zstd level 3 keeps about a third), unlike a tiny vocabulary (too compressible) or
 * random letters (not enough).
 */

/** How many distinct words: real text over a few thousand words covers most of its tokens. */
const VOCABULARY_SIZE = 4096
/** Zipf's exponent for rank frequencies; about 1 for natural languages. */
const ZIPF_EXPONENT = 1.0
/** Resolution of the word sampling table: a 16-bit random number picks one slot. */
const TABLE_BITS = 16
/** Each word has this many usual successors (a power of two). */
export const FOLLOWERS_PER_WORD = 2
/** Fixed seed: the vocabulary is the same for every data set seed. */
const VOCABULARY_SEED = 0x5eed

const COMMON = ('the of and to a in is that for it with as was on be at by this have from or one had not but ' +
  'what all were when we there can an your which their said if do will each about how up out them then she ' +
  'many some so these would other into has more her two like him see time could no make than first been its ' +
  'who now people my made over did down only way find use may water long little very after words called just ' +
  'where most know file folder share user meeting note project invoice report draft photo calendar contact ' +
  'update backup server site team plan week budget review task list').split(' ')

const SYLLABLES = ('ba be bi bo bu ca ce ci co cu da de di do du fa fe fi fo ga ge gi go la le li lo lu ma me mi ' +
  'mo mu na ne ni no nu pa pe pi po pu ra re ri ro ru sa se si so su ta te ti to tu va ve vi vo ver ter ment ' +
  'tion al an en in on er or ar is us ly ing ed es st tr pl cl gr br').split(' ')

export interface Vocabulary {
  /** All words' ASCII bytes back to back. */
  bytes: Uint8Array
  offsets: Uint32Array
  lengths: Uint8Array
  /** 2^TABLE_BITS slots, each a word index; slot counts follow Zipf's law. */
  table: Uint16Array
  /** FOLLOWERS_PER_WORD likely next words per word: text has phrases, not independent words. */
  followers: Uint16Array
  strings: readonly string[]
}

function build (): Vocabulary {
  const rng = new Rng(VOCABULARY_SEED)
  const words = [...COMMON]
  const seen = new Set(words)
  while (words.length < VOCABULARY_SIZE) {
    const n = 1 + rng.int(4)
    let w = ''
    for (let i = 0; i < n; i++) w += rng.pick(SYLLABLES)
    if (!seen.has(w)) {
      seen.add(w)
      words.push(w)
    }
  }
  const joined = Buffer.from(words.join(''), 'latin1')
  const offsets = new Uint32Array(words.length)
  const lengths = new Uint8Array(words.length)
  let off = 0
  words.forEach((w, i) => {
    offsets[i] = off
    lengths[i] = w.length
    off += w.length
  })
  const weights = words.map((_, r) => 1 / (r + 1) ** ZIPF_EXPONENT)
  const total = weights.reduce((a, b) => a + b, 0)
  const slots = 1 << TABLE_BITS
  const table = new Uint16Array(slots)
  let slot = 0
  let cumulative = 0
  for (let r = 0; r < words.length && slot < slots; r++) {
    cumulative += (weights[r] as number) / total
    // Every word gets at least one slot, so the whole vocabulary appears.
    const end = Math.max(slot + 1, Math.min(slots, Math.round(cumulative * slots)))
    table.fill(r, slot, end)
    slot = end
  }
  table.fill(words.length - 1, slot)
  const followers = new Uint16Array(words.length * FOLLOWERS_PER_WORD)
  for (let i = 0; i < followers.length; i++) followers[i] = table[rng.u32() & (slots - 1)] as number
  return { bytes: joined, offsets, lengths, table, followers, strings: words }
}

export const vocabulary: Vocabulary = build()

/** A random word index, Zipf-distributed. */
export function wordIndex (r: number): number {
  return vocabulary.table[r & ((1 << TABLE_BITS) - 1)] as number
}

/** With a chance of `followChance` (r's high bits), one of `previous`'s usual successors. */
export function nextWordIndex (previous: number, r: number, followChance: number): number {
  if ((r >>> 24) < followChance * 256) return vocabulary.followers[previous * FOLLOWERS_PER_WORD + ((r >>> 16) & (FOLLOWERS_PER_WORD - 1))] as number
  return wordIndex(r)
}

/** The word as a string (for names and SQL fields; the hot text path copies bytes instead). */
export function wordString (index: number): string {
  return vocabulary.strings[index] as string
}
