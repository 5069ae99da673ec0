import { randomBytes } from 'node:crypto'
import { deriveKey } from '@resilien/hashing'
import { equalBytes, InvalidInputError, WrongPassphraseError } from '@resilien/types'
import { checkKdfParams, DEFAULT_KDF_PARAMS, deriveFromPassphrase } from './kdf.js'
import type { KdfParams } from './kdf.js'
import { assertKey, KEY_LENGTH } from './master-key.js'
import { openChunk, sealChunkInto } from './seal.js'
import { CHECK_LENGTH, readWrappedKey, SALT_LENGTH, SEALED_OFFSET, writeChecksum, writeWrappedKeyHeader } from './wrapped-key-format.js'

/**
 * Two independent values come out of the KDF output: the key that seals the master key, and a
 * check value stored in clear that tells a wrong passphrase without trying to decrypt. Being
 * one-way derivations, the check value says nothing about the wrapping key.
 */
export const WRAP_CONTEXTS = Object.freeze({
  wrappingKey: 'resilien 2026-11 passphrase wrapping key v1',
  check: 'resilien 2026-11 passphrase check v1'
})

function assertPassphrase (passphrase: string): void {
  if (typeof passphrase !== 'string') throw new InvalidInputError('passphrase must be a string')
}

/**
 * Wraps the master key under a passphrase (NFC-normalized). Each call draws a new salt, so
 * wrapping the same key twice gives unrelated blobs; one blob per passphrase of a repository.
 */
export async function wrapMasterKey (master: Uint8Array, passphrase: string, params: KdfParams = DEFAULT_KDF_PARAMS): Promise<Uint8Array> {
  assertKey(master, 'master key')
  assertPassphrase(passphrase)
  if (passphrase.length === 0) throw new InvalidInputError('passphrase must not be empty')
  checkKdfParams(params)
  const salt = randomBytes(SALT_LENGTH)
  const derived = await deriveFromPassphrase(passphrase, salt, params)
  try {
    const blob = writeWrappedKeyHeader(params, salt, deriveKey(WRAP_CONTEXTS.check, derived, CHECK_LENGTH))
    sealChunkInto(deriveKey(WRAP_CONTEXTS.wrappingKey, derived, KEY_LENGTH), master, blob, SEALED_OFFSET, blob.subarray(0, SEALED_OFFSET))
    writeChecksum(blob)
    return blob
  } finally {
    derived.fill(0)
  }
}

/**
 * Recovers the master key. Throws IntegrityError when the blob is corrupt (checked before
 * anything else, and again by the AEAD), InvalidInputError when it is well formed but not
 * readable by this version or asks for KDF parameters beyond KDF_LIMITS (the KDF is not run),
 * and WrongPassphraseError when the passphrase does not match.
 */
export async function unwrapMasterKey (wrapped: Uint8Array, passphrase: string): Promise<Uint8Array> {
  assertPassphrase(passphrase)
  const fields = readWrappedKey(wrapped)
  const derived = await deriveFromPassphrase(passphrase, fields.salt, fields.params)
  try {
    if (!equalBytes(deriveKey(WRAP_CONTEXTS.check, derived, CHECK_LENGTH), fields.check)) {
      throw new WrongPassphraseError()
    }
    return openChunk(deriveKey(WRAP_CONTEXTS.wrappingKey, derived, KEY_LENGTH), fields.sealed, fields.header)
  } finally {
    // Best effort: JS gives no guarantee that no other copy of a secret exists.
    derived.fill(0)
  }
}
