import { concat, frame, LENGTH_BYTES, lengthPrefix, MAX_HEADER_BYTES, utf8 } from './frames.js'
import type { Random } from './random.js'
import { randomText } from './values.js'

/** Deep enough to break a recursive parser, small enough to fit a header. */
const MAX_NESTING = 30_000
/** Keys in the "many keys" header. */
const MANY_KEYS = 4000
/** Length prefixes that a careless reader turns into a huge allocation, a negative number or zero. */
const WILD_LENGTHS = [0, 1, 2, 3, MAX_HEADER_BYTES, MAX_HEADER_BYTES + 1, 0x7fffffff, 0x80000000, 0xfffffffe, 0xffffffff, 0x00100000]

/** A header of exactly `length` bytes of JSON (an op and one padding string). */
function paddedHeader (op: string, length: number): Uint8Array {
  const head = `{"op":${JSON.stringify(op)},"pad":"`
  return utf8(head + 'a'.repeat(Math.max(0, length - head.length - 2)) + '"}')
}

/**
 * A frame built from nothing (or from `header`, the JSON text of a valid request of the
 * protocol): random bytes, wild length prefixes, prefixes cut short, broken JSON and UTF-8,
 * values that are not objects, deep nesting, headers at and over the size bound.
 */
export function randomFrame (rng: Random, header: string): { bytes: Uint8Array, label: string } {
  const kind = rng.int(0, 14)
  switch (kind) {
    case 0: {
      const bytes = rng.bytes(rng.size(8192))
      return { bytes, label: `${bytes.byteLength} random bytes` }
    }
    case 1: return { bytes: new Uint8Array(0), label: 'nothing' }
    case 2: {
      const length = rng.pick(WILD_LENGTHS)
      return { bytes: lengthPrefix(length), label: `a length prefix of ${length} alone` }
    }
    case 3: {
      const cut = rng.int(1, LENGTH_BYTES - 1)
      return { bytes: frame(header).subarray(0, cut), label: `${cut} bytes of a length prefix` }
    }
    case 4: {
      const length = rng.pick(WILD_LENGTHS)
      return { bytes: concat(lengthPrefix(length), utf8(header), rng.bytes(rng.size(1024))), label: `length prefix ${length} before a header` }
    }
    case 5: {
      const json = utf8(header)
      const length = rng.int(0, json.byteLength - 1)
      return { bytes: concat(lengthPrefix(length), json), label: `length ${length} shorter than the header` }
    }
    case 6: {
      const json = utf8(header)
      const length = json.byteLength + rng.int(1, 1000)
      return { bytes: concat(lengthPrefix(length), json), label: `length ${length} longer than the header` }
    }
    case 7: return { bytes: frame(rng.bytes(rng.int(2, 2048))), label: 'random bytes as a header' }
    case 8: return { bytes: frame(concat(utf8('{"op":"'), Uint8Array.of(rng.pick([0xc3, 0xff, 0xed, 0xf4, 0x80])), utf8('"}'))), label: 'invalid UTF-8 in a header' }
    case 9: {
      const value = rng.pick(['[]', '"op"', '1', 'null', 'true', '[{"op":"get"}]', '""', '{', '}', '{}', '{"op":null}', '{"":""}'])
      return { bytes: frame(value), label: `header ${value}` }
    }
    case 10: {
      const depth = rng.int(1000, MAX_NESTING)
      const open = rng.chance(0.5) ? '[' : '{"a":'
      const close = open === '[' ? ']' : '}'
      return { bytes: frame(`{"op":${open.repeat(depth)}1${close.repeat(depth)}}`), label: `nesting ${depth} deep` }
    }
    case 11: {
      const length = rng.pick([MAX_HEADER_BYTES - 1, MAX_HEADER_BYTES, MAX_HEADER_BYTES + 1])
      return { bytes: frame(paddedHeader(JSON.parse(header).op as string, length)), label: `a header of ${length} bytes` }
    }
    case 12: {
      const keys = Array.from({ length: MANY_KEYS }, (_, i) => `"k${i}":${i}`).join(',')
      return { bytes: frame(`{"op":"heads",${keys}}`), label: `${MANY_KEYS} keys` }
    }
    case 13: return { bytes: concat(frame(header), frame(header)), label: 'the request twice' }
    default: {
      const text = randomText(rng, rng.size(2000))
      return { bytes: frame(text), label: 'random text as a header' }
    }
  }
}
