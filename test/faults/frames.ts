/**
 * The fuzzer's own frame encoding: a 4-byte big-endian length, then the header bytes. Written
 * here rather than taken from the wire package because the fuzzer must also build every frame
 * the wire package refuses to build (wrong lengths, broken JSON, oversized headers).
 */

/** The wire's bound on a header (packages/wire MAX_HEADER_BYTES): lengths around it are probed. */
export const MAX_HEADER_BYTES = 64 * 1024
export const LENGTH_BYTES = 4

const encoder = new TextEncoder()

export function utf8 (text: string): Uint8Array {
  return encoder.encode(text)
}

export function lengthPrefix (length: number): Uint8Array {
  const out = new Uint8Array(LENGTH_BYTES)
  new DataView(out.buffer).setUint32(0, length >>> 0)
  return out
}

export function concat (...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((sum, p) => sum + p.byteLength, 0))
  let at = 0
  for (const part of parts) {
    out.set(part, at)
    at += part.byteLength
  }
  return out
}

/** A frame of `header` (JSON text or bytes) with its true length. */
export function frame (header: string | Uint8Array): Uint8Array {
  const bytes = typeof header === 'string' ? utf8(header) : header
  return concat(lengthPrefix(bytes.byteLength), bytes)
}
