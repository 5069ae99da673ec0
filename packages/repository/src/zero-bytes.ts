/**
 * True when every byte is zero. Bytes up to an 8-byte boundary, then 8 bytes at a time (chunks
 * often start unaligned, after a frame's header byte); chunks are rarely zero, so the first word
 * usually decides.
 */
export function isAllZero (buf: Uint8Array): boolean {
  const head = (8 - (buf.byteOffset % 8)) % 8
  if (buf.byteLength < head + 8) {
    // Too short to hold one aligned word (a word view must start on an 8-byte boundary).
    for (let i = 0; i < buf.byteLength; i++) if (buf[i] !== 0) return false
    return true
  }
  for (let i = 0; i < head; i++) if (buf[i] !== 0) return false
  const words = new BigUint64Array(buf.buffer, buf.byteOffset + head, (buf.byteLength - head) >> 3)
  for (let i = 0; i < words.length; i++) if (words[i] !== 0n) return false
  for (let i = head + (words.length << 3); i < buf.byteLength; i++) if (buf[i] !== 0) return false
  return true
}
