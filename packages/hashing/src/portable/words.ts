// BLAKE3 reads and writes 32-bit words little-endian. These helpers assemble them byte by byte
// so that the result does not depend on the machine's endianness.

/** Reads `out.length` words from `bytes` starting at `offset`. */
export function readWords (bytes: Uint8Array, offset: number, out: Uint32Array): void {
  for (let i = 0; i < out.length; i++) {
    const p = offset + 4 * i
    out[i] = (bytes[p] as number) | (bytes[p + 1] as number) << 8 | (bytes[p + 2] as number) << 16 | (bytes[p + 3] as number) << 24
  }
}

/** Writes the first `count` bytes of `words` into `out` at `offset`. */
export function writeWords (words: Uint32Array, out: Uint8Array, offset: number, count: number): void {
  for (let i = 0; i < count; i++) {
    out[offset + i] = (words[i >>> 2] as number) >>> (8 * (i & 3))
  }
}

/** A 32-byte key or chaining value as 8 words. */
export function keyWords (key: Uint8Array): Uint32Array {
  const words = new Uint32Array(8)
  readWords(key, 0, words)
  return words
}
