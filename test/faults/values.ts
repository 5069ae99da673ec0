import type { Random } from './random.js'

/**
 * Values that break assumptions: wrong types, numbers at and past every bound the protocols
 * name (shard size, has ids, batch entries, JSON bodies, header bytes), strings that are empty,
 * long, or not plain ASCII.
 */

const KiB = 1024
const MiB = 1024 * KiB

export const EDGE_NUMBERS: readonly number[] = [
  0, -1, 1, 2, 1.5, -0.5, 0.1, 31, 32, 33,
  1000, 1001, 4096, 4097, 64 * KiB, 64 * KiB + 1, 4 * MiB, 4 * MiB + 1, 64 * MiB, 64 * MiB + 1,
  2 ** 31 - 1, 2 ** 31, 2 ** 32 - 1, 2 ** 32, 2 ** 53 - 1, 2 ** 53, 2 ** 53 + 2, 2 ** 64,
  1e21, 1e308, -1e308, Number.MIN_VALUE, -(2 ** 53)
]

/** JSON text no JSON.stringify of a number or string produces (spliced into a header as is). */
export const RAW_TOKENS: readonly string[] = [
  '1e400', '-1e400', '-0', '1.0', '1E2', '0.1e1', '123456789012345678901234567890',
  '"\\ud800"', '"\\u0000"', '"\\udfff\\ud800"', '"\\u202e"', 'null', '[]', '{}',
  '[[[[[[[[[[]]]]]]]]]]', 'true', '""', '"\\n"'
]

/** Lengths around the string limits of the protocols (peer id 128, name 256, secret and addr 1024). */
const EDGE_LENGTHS: readonly number[] = [0, 1, 2, 63, 64, 65, 127, 128, 129, 255, 256, 257, 1023, 1024, 1025, 4096, 60 * KiB]

const ALPHABET = 'abcdefghijklmnopqrstuvwxyz0123456789ABCDEF/.:-_ '
/** Characters that are not plain ASCII: accents, emoji (surrogate pairs), right-to-left, controls. */
const ODD_CHARS = ['é', '😀', '\u202e', '\u0000', '\n', '"', '\\', '\u2028', '\ufeff', '\ud800', '\udfff', '中']

export function randomText (rng: Random, length: number): string {
  let out = ''
  for (let i = 0; i < length; i++) out += rng.chance(0.1) ? rng.pick(ODD_CHARS) : ALPHABET[rng.int(0, ALPHABET.length - 1)]
  return out
}

export function randomHex (rng: Random, bytes: number): string {
  return Buffer.from(rng.bytes(bytes)).toString('hex')
}

/** Strings that look like a 64-hex id but are not one: wrong case, length, characters. */
export function nearHex64 (rng: Random): string {
  const hex = randomHex(rng, 32)
  return rng.pick([
    hex.toUpperCase(), hex.slice(1), hex + '0', hex.slice(0, 63) + 'g', ` ${hex}`, `${hex}\n`,
    hex.slice(0, 32), '', '0'.repeat(64), 'f'.repeat(64), `0x${hex.slice(2)}`
  ])
}

export function edgeString (rng: Random): string {
  return randomText(rng, rng.pick(EDGE_LENGTHS))
}

/** Any JSON value, likely of the wrong type for whatever field it lands in. */
export function wrongValue (rng: Random, depth = 0): unknown {
  const kind = rng.int(0, depth > 2 ? 6 : 9)
  switch (kind) {
    case 0: return null
    case 1: return rng.chance(0.5)
    case 2: return rng.pick(EDGE_NUMBERS)
    case 3: return edgeString(rng)
    case 4: return nearHex64(rng)
    case 5: return randomText(rng, rng.size(40))
    case 6: return rng.int(-1000, 1000)
    case 7: return Array.from({ length: rng.size(40) }, () => wrongValue(rng, depth + 1))
    case 8: return Object.fromEntries(Array.from({ length: rng.size(8) }, () => [randomText(rng, rng.int(1, 8)), wrongValue(rng, depth + 1)]))
    default: return Array.from({ length: rng.pick([0, 1, 33, 1000]) }, () => randomText(rng, rng.size(20)))
  }
}
