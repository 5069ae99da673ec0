/** Lowercase hex of bytes; ids travel and print as hex. */
export function toHex (bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex')
}

const HEX = /^(?:[0-9a-f]{2})*$/

/** Parses lowercase hex, rejecting anything else (odd length, other characters). */
export function fromHex (hex: string): Uint8Array {
  if (!HEX.test(hex)) throw new TypeError('not lowercase hex of whole bytes')
  return Buffer.from(hex, 'hex')
}

/** Constant-time equality for secrets (MACs, key checks). */
export function equalBytes (a: Uint8Array, b: Uint8Array): boolean {
  if (a.byteLength !== b.byteLength) return false
  let diff = 0
  for (let i = 0; i < a.byteLength; i++) diff |= (a[i] as number) ^ (b[i] as number)
  return diff === 0
}
