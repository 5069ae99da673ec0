import { hash } from '@resilien/hashing'
import type { SiteId } from '@resilien/types'
import { SITE_SCORE_CACHE_LIMIT } from './constants.js'

/** Two independent scores per site and seed: one breaks load ties, one orders the shards. */
export const SELECTION_LANE = 0
export const ORDER_LANE = 1

const WORDS = 4
const encoder = new TextEncoder()

function digestWords (text: string): Uint32Array {
  const digest = hash(encoder.encode(text), WORDS * 4)
  const view = new DataView(digest.buffer, digest.byteOffset, digest.byteLength)
  const words = new Uint32Array(WORDS)
  for (let i = 0; i < WORDS; i++) words[i] = view.getUint32(i * 4, true)
  return words
}

/** MurmurHash3's 32-bit finalizer: every input bit flips about half of the output bits. */
function fmix32 (h: number): number {
  h ^= h >>> 16
  h = Math.imul(h, 0x85ebca6b)
  h ^= h >>> 13
  h = Math.imul(h, 0xc2b2ae35)
  h ^= h >>> 16
  return h >>> 0
}

/**
 * Rendezvous (highest random weight) scores from BLAKE3: score(seed, site) mixes BLAKE3(seed)
 * with BLAKE3(site). Hashing seed + site for every site would cost one BLAKE3 call (1-2 us,
 * mostly call overhead) per site and placement; this way a placement hashes its seed once and
 * each site id is hashed once per process. A site's score depends only on the seed and its own
 * id, so adding or removing a site never changes how the others rank.
 */
export class SiteScores {
  readonly #sites = new Map<SiteId, Uint32Array>()

  seedWords (seed: string): Uint32Array {
    return digestWords(seed)
  }

  score (seedWords: Uint32Array, site: SiteId, lane: number): number {
    let words = this.#sites.get(site)
    if (words === undefined) {
      if (this.#sites.size >= SITE_SCORE_CACHE_LIMIT) this.#sites.clear()
      words = digestWords(site)
      this.#sites.set(site, words)
    }
    const a = 2 * lane
    const first = fmix32(((words[a] ?? 0) ^ (seedWords[a] ?? 0)) >>> 0)
    return fmix32((first ^ (words[a + 1] ?? 0) ^ (seedWords[a + 1] ?? 0)) >>> 0)
  }
}
