import { concat, frame, LENGTH_BYTES, lengthPrefix, MAX_HEADER_BYTES, utf8 } from './frames.js'
import type { Random } from './random.js'
import { EDGE_NUMBERS, edgeString, nearHex64, RAW_TOKENS, randomText, wrongValue } from './values.js'

export type Header = Record<string, unknown>

/** A valid request of one op: its header and the bytes that follow it. */
export interface Request {
  op: string
  header: Header
  body: Uint8Array
  /** What makes this request special while valid in form (e.g. a pushed entry was changed). */
  note?: string
}

/** Every op of every protocol, and some that are none: a request names the wrong one. */
const OPS = ['put', 'get', 'has', 'heads', 'pull', 'push', 'join', 'PUT', 'delete', 'list', '', 'constructor', '__proto__', 'toString']
/** Keys that are not plain data on a JS object, or that answers (not requests) carry. */
const ODD_KEYS = ['__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty', 'ok', 'code', 'message', 'reason', 'bytes', 'size', 'count', 'site', 'id']
const HEX64 = /^[0-9a-f]{64}$/

/** One change to a header object; returns what it did. */
function mutateField (rng: Random, header: Header): string {
  const keys = Object.keys(header)
  const key = keys.length > 0 ? rng.pick(keys) : 'op'
  const value = header[key]
  const kind = rng.int(0, 7)
  if (kind === 0) {
    header[key] = undefined
    return `without ${key}`
  }
  if (kind === 1) {
    const extra = rng.chance(0.5) ? rng.pick(ODD_KEYS) : randomText(rng, rng.int(1, 12))
    // Assigned as an own property: `header.__proto__ = ...` would set the prototype instead.
    Object.defineProperty(header, extra, { value: wrongValue(rng), enumerable: true, writable: true, configurable: true })
    return `extra key ${JSON.stringify(extra.slice(0, 20))}`
  }
  if (kind === 2 || (kind === 3 && key === 'op')) {
    header.op = rng.chance(0.8) ? rng.pick(OPS) : wrongValue(rng)
    return 'another op'
  }
  if (typeof value === 'number' || kind === 3) {
    header[key] = rng.chance(0.7) ? rng.pick(EDGE_NUMBERS) : (typeof value === 'number' ? value + rng.int(-2, 2) : rng.int(-5, 5))
    return `${key} = edge number`
  }
  if (typeof value === 'string' && (HEX64.test(value) || kind === 4)) {
    header[key] = nearHex64(rng)
    return `${key} near hex`
  }
  if (typeof value === 'string' && kind === 5) {
    header[key] = edgeString(rng)
    return `${key} = edge string`
  }
  if (Array.isArray(value) && kind === 6) {
    header[key] = [...value, ...Array.from({ length: rng.pick([1, 32, 33, 200]) }, () => rng.chance(0.7) ? edgeString(rng) : wrongValue(rng))]
    return `${key} longer`
  }
  header[key] = wrongValue(rng)
  return `${key} wrong type`
}

/** Changes to the JSON text that no object can express (non-standard numbers, duplicate keys, junk). */
function mutateText (rng: Random, json: string): { json: string, label: string } {
  const kind = rng.int(0, 5)
  if (kind === 0) {
    // Splice a raw token in place of the first value.
    const at = json.indexOf(':')
    if (at < 0) return { json, label: 'as is' }
    const end = json.indexOf(',', at)
    const token = rng.pick(RAW_TOKENS)
    return { json: json.slice(0, at + 1) + token + (end < 0 ? '}' : json.slice(end)), label: `raw ${token}` }
  }
  if (kind === 1) return { json: `{"${rng.pick(ODD_KEYS)}":${JSON.stringify(wrongValue(rng))},${json.slice(1)}`, label: 'duplicate or odd key first' }
  if (kind === 2) return { json: json + rng.pick(['x', '}', ' {}', ',', '\u0000', '\n']), label: 'junk after the object' }
  if (kind === 3) return { json: '\ufeff' + json, label: 'byte-order mark' }
  if (kind === 4) return { json: json.replace(/}$/, ',}'), label: 'trailing comma' }
  return { json: json.replace(/[:,]/g, (c) => `${c}${' '.repeat(rng.int(0, 3))}`), label: 'whitespace' }
}

/** The header bytes after 1 to 3 field changes, and sometimes a text change. */
export function mutateHeader (rng: Random, header: Header): { bytes: Uint8Array, label: string } {
  const copy: Header = { ...header }
  const labels: string[] = []
  const changes = rng.int(1, 3)
  for (let i = 0; i < changes; i++) labels.push(mutateField(rng, copy))
  let json = JSON.stringify(copy)
  if (rng.chance(0.25)) {
    const text = mutateText(rng, json)
    json = text.json
    labels.push(text.label)
  }
  return { bytes: utf8(json), label: labels.join(', ') }
}

/** One to four byte-level changes to an encoded request (its length prefix included). */
export function mutateBytes (rng: Random, input: Uint8Array): { bytes: Uint8Array, label: string } {
  let bytes: Uint8Array = input.slice()
  const labels: string[] = []
  const changes = rng.int(1, 4)
  for (let i = 0; i < changes; i++) {
    const kind = rng.int(0, 7)
    if (kind === 0 && bytes.byteLength > 0) {
      const flips = rng.int(1, 8)
      for (let f = 0; f < flips; f++) {
        const at = rng.int(0, bytes.byteLength - 1)
        bytes[at] = (bytes[at] as number) ^ (1 << rng.int(0, 7))
      }
      labels.push(`${flips} bits flipped`)
    } else if (kind === 1 && bytes.byteLength > 0) {
      bytes[rng.int(0, bytes.byteLength - 1)] = rng.pick([0, 0xff, 0x7f, 0x80, 0x22, 0x5c, 0x7b, 0x7d])
      labels.push('byte overwritten')
    } else if (kind === 2) {
      bytes = bytes.slice(0, rng.int(0, bytes.byteLength))
      labels.push(`truncated to ${bytes.byteLength}`)
    } else if (kind === 3) {
      bytes = concat(bytes, rng.bytes(rng.size(4096)))
      labels.push('extended')
    } else if (kind === 4) {
      const at = rng.int(0, bytes.byteLength)
      bytes = concat(bytes.subarray(0, at), rng.bytes(rng.int(1, 64)), bytes.subarray(at))
      labels.push('bytes inserted')
    } else if (kind === 5 && bytes.byteLength > 1) {
      const at = rng.int(0, bytes.byteLength - 1)
      bytes = concat(bytes.subarray(0, at), bytes.subarray(Math.min(bytes.byteLength, at + rng.int(1, 64))))
      labels.push('bytes deleted')
    } else if (kind === 6 && bytes.byteLength >= LENGTH_BYTES) {
      const length = new DataView(bytes.buffer, bytes.byteOffset).getUint32(0)
      const wrong = rng.pick([0, 1, 2, length - 1, length + 1, length * 2, MAX_HEADER_BYTES, MAX_HEADER_BYTES + 1, 0x7fffffff, 0x80000000, 0xffffffff, rng.next()])
      bytes.set(lengthPrefix(wrong), 0)
      labels.push(`length prefix ${wrong >>> 0}`)
    } else {
      bytes = concat(bytes, bytes)
      labels.push('sent twice')
    }
  }
  return { bytes, label: labels.join(', ') }
}

/** The request's body made shorter or longer than announced, or other bytes of the same length. */
export function mutateBody (rng: Random, body: Uint8Array): { bytes: Uint8Array, label: string } {
  const kind = rng.int(0, 4)
  if (kind === 0) return { bytes: new Uint8Array(0), label: 'no body' }
  if (kind === 1) {
    const cut = rng.int(0, Math.max(0, body.byteLength - 1))
    return { bytes: body.subarray(0, cut), label: `body of ${cut} of ${body.byteLength} bytes` }
  }
  if (kind === 2) {
    const extra = rng.size(64 * 1024) + 1
    return { bytes: concat(body, rng.bytes(extra)), label: `body ${extra} bytes longer` }
  }
  if (kind === 3) return { bytes: rng.bytes(body.byteLength), label: 'other body bytes' }
  return { bytes: concat(body, frame(JSON.stringify({ op: rng.pick(OPS) }))), label: 'a second request after the body' }
}
