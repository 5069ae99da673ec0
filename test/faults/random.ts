/**
 * A seeded PRNG (sfc32, seeded through splitmix32). Every case gets its own generator derived
 * from (seed, protocol, case number), so `--from N` replays case N exactly without replaying the
 * cases before it.
 */

function splitmix32 (state: number): () => number {
  let x = state >>> 0
  return () => {
    x = (x + 0x9e3779b9) >>> 0
    let z = x
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b)
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35)
    return (z ^ (z >>> 16)) >>> 0
  }
}

/** FNV-1a of a string: turns a protocol name into part of a seed. */
function hashString (text: string): number {
  let h = 0x811c9dc5
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193)
  return h >>> 0
}

export class Random {
  #a: number
  #b: number
  #c: number
  #d: number

  constructor (seed: number) {
    const mix = splitmix32(seed)
    this.#a = mix()
    this.#b = mix()
    this.#c = mix()
    this.#d = mix()
  }

  /** The generator of one case. */
  static forCase (seed: number, protocol: string, index: number): Random {
    const parts = splitmix32(seed ^ hashString(protocol))
    return new Random((parts() ^ Math.imul(index + 1, 0x27d4eb2d)) >>> 0)
  }

  /** 32 random bits. */
  next (): number {
    const t = (((this.#a + this.#b) >>> 0) + this.#d) >>> 0
    this.#d = (this.#d + 1) >>> 0
    this.#a = this.#b ^ (this.#b >>> 9)
    this.#b = (this.#c + (this.#c << 3)) >>> 0
    this.#c = ((this.#c << 21) | (this.#c >>> 11)) >>> 0
    this.#c = (this.#c + t) >>> 0
    return t
  }

  /** An integer from min to max, both included. */
  int (min: number, max: number): number {
    return min + Math.floor((this.next() / 2 ** 32) * (max - min + 1))
  }

  /** True with probability p. */
  chance (p: number): boolean {
    return this.next() / 2 ** 32 < p
  }

  pick<T> (items: readonly T[]): T {
    return items[this.int(0, items.length - 1)] as T
  }

  /** One of `choices`, each with its weight. */
  weighted<T> (choices: ReadonlyArray<readonly [number, T]>): T {
    const total = choices.reduce((sum, [w]) => sum + w, 0)
    let roll = this.next() / 2 ** 32 * total
    for (const [weight, value] of choices) {
      roll -= weight
      if (roll < 0) return value
    }
    return (choices[choices.length - 1] as readonly [number, T])[1]
  }

  bytes (length: number): Uint8Array {
    const out = new Uint8Array(length)
    for (let i = 0; i < length; i += 4) {
      const word = this.next()
      out[i] = word
      if (i + 1 < length) out[i + 1] = word >>> 8
      if (i + 2 < length) out[i + 2] = word >>> 16
      if (i + 3 < length) out[i + 3] = word >>> 24
    }
    return out
  }

  /** A length with small values far more likely than large ones (most bugs hide at the edges). */
  size (max: number): number {
    return Math.min(max, Math.floor(2 ** (this.next() / 2 ** 32 * Math.log2(max + 1))) - 1 + this.int(0, 1))
  }
}
