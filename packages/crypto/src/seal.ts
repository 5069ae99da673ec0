import { createCipheriv, createDecipheriv, randomFillSync } from 'node:crypto'
import type { CipherChaCha20Poly1305, DecipherChaCha20Poly1305 } from 'node:crypto'
import { IntegrityError, InvalidInputError } from '@resilien/types'
import { assertKey } from './master-key.js'

const CIPHER = 'chacha20-poly1305'
/** ChaCha20-Poly1305 (RFC 8439) nonce, drawn at random for every seal. */
export const NONCE_LENGTH = 12
/** Poly1305 tag; the full 16 bytes, never truncated. */
export const TAG_LENGTH = 16
/** Bytes a sealed object has beyond its plaintext: nonce before, tag after. */
export const SEAL_OVERHEAD = NONCE_LENGTH + TAG_LENGTH

/**
 * How many objects one key may seal. With random 96-bit nonces the chance that two of n seals
 * share a nonce (which would leak the XOR of two plaintexts and allow tag forgery) is about
 * n^2 / 2^97: 2^-33 at n = 2^32, the bound NIST sets for random nonces (SP 800-38D). At 64 KiB
 * per chunk that is 256 TiB of new (deduplicated) data under one repository data key. Not
 * enforced here, because seals happen in several processes; the key hierarchy keeps each key
 * far below it.
 */
export const RANDOM_NONCE_SEAL_LIMIT = 2 ** 32

const OPTIONS = { authTagLength: TAG_LENGTH }

/**
 * Nonces drawn from the CSPRNG in batches: one call per seal cost ~2 us of binding overhead, 5 %
 * of sealing a 64 KiB chunk. Nonces are public, so holding a few in memory leaks nothing; each
 * is handed out once. Each worker thread has its own batch, filled independently.
 */
const NONCE_BATCH = 256
const nonceBatch = Buffer.allocUnsafe(NONCE_LENGTH * NONCE_BATCH)
let nonceNext = nonceBatch.byteLength

function writeNonce (out: Uint8Array, offset: number): void {
  if (nonceNext === nonceBatch.byteLength) {
    randomFillSync(nonceBatch)
    nonceNext = 0
  }
  out.set(nonceBatch.subarray(nonceNext, nonceNext + NONCE_LENGTH), offset)
  nonceNext += NONCE_LENGTH
}

function overlaps (plaintext: Uint8Array, out: Uint8Array, offset: number, length: number): boolean {
  if (plaintext.buffer !== out.buffer || plaintext.byteLength === 0) return false
  const start = out.byteOffset + offset
  return plaintext.byteOffset < start + length && start < plaintext.byteOffset + plaintext.byteLength
}

/**
 * Seals `plaintext` into `out` at `offset` as nonce || ciphertext || tag and returns the number
 * of bytes written (plaintext length + SEAL_OVERHEAD). Lets a packer seal straight into its pack
 * buffer; `out` must not overlap `plaintext`. `aad` is authenticated, not stored: open must pass the same bytes.
 */
export function sealChunkInto (key: Uint8Array, plaintext: Uint8Array, out: Uint8Array, offset: number, aad?: Uint8Array): number {
  assertKey(key, 'sealing key')
  const length = plaintext.byteLength + SEAL_OVERHEAD
  if (!Number.isSafeInteger(offset) || offset < 0 || offset + length > out.byteLength) {
    throw new InvalidInputError(`sealChunkInto: ${length} bytes do not fit at offset ${offset} of ${out.byteLength}`)
  }
  if (overlaps(plaintext, out, offset, length)) {
    throw new InvalidInputError('sealChunkInto: the output overlaps the plaintext (sealing in place is not supported)')
  }
  writeNonce(out, offset)
  const cipher: CipherChaCha20Poly1305 = createCipheriv(CIPHER, key, out.subarray(offset, offset + NONCE_LENGTH), OPTIONS)
  if (aad !== undefined) cipher.setAAD(aad, { plaintextLength: plaintext.byteLength })
  // Node's cipher cannot write into a given buffer: one copy of the ciphertext is unavoidable.
  out.set(cipher.update(plaintext), offset + NONCE_LENGTH)
  cipher.final()
  out.set(cipher.getAuthTag(), offset + NONCE_LENGTH + plaintext.byteLength)
  return length
}

/** Seals `plaintext` under `key` with a fresh random nonce: nonce || ciphertext || tag. */
export function sealChunk (key: Uint8Array, plaintext: Uint8Array, aad?: Uint8Array): Uint8Array {
  const out = Buffer.allocUnsafe(plaintext.byteLength + SEAL_OVERHEAD)
  sealChunkInto(key, plaintext, out, 0, aad)
  return out
}

/**
 * Opens what sealChunk made. Throws IntegrityError when anything changed: nonce, ciphertext,
 * tag, length, the aad, or the key. Nothing unauthenticated is ever returned.
 */
export function openChunk (key: Uint8Array, sealed: Uint8Array, aad?: Uint8Array): Uint8Array {
  assertKey(key, 'sealing key')
  if (sealed.byteLength < SEAL_OVERHEAD) {
    throw new IntegrityError('sealed object', `sealed object of ${sealed.byteLength} bytes is shorter than its ${SEAL_OVERHEAD}-byte envelope`)
  }
  const tagStart = sealed.byteLength - TAG_LENGTH
  const decipher: DecipherChaCha20Poly1305 = createDecipheriv(CIPHER, key, sealed.subarray(0, NONCE_LENGTH), OPTIONS)
  decipher.setAuthTag(sealed.subarray(tagStart))
  if (aad !== undefined) decipher.setAAD(aad, { plaintextLength: tagStart - NONCE_LENGTH })
  const plaintext = decipher.update(sealed.subarray(NONCE_LENGTH, tagStart))
  try {
    decipher.final()
  } catch {
    // Unauthenticated plaintext never leaves this function, not even in a buffer left for GC.
    plaintext.fill(0)
    throw new IntegrityError('sealed object', `sealed object of ${sealed.byteLength} bytes failed authentication (changed, wrong key or wrong associated data)`)
  }
  return plaintext
}
