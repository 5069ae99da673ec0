import { hash } from '@resilien/hashing'
import { equalBytes, IntegrityError, InvalidInputError } from '@resilien/types'
import { checkKdfParams } from './kdf.js'
import type { KdfParams } from './kdf.js'
import { KEY_LENGTH } from './master-key.js'
import { SEAL_OVERHEAD } from './seal.js'

/*
 * A wrapped master key, version 1, big-endian, 171 bytes:
 *
 *   0  magic "RSWK"          4      15  salt              32
 *   4  version = 1           1      47  check value       32
 *   5  KDF id (1 = scrypt)   1      79  nonce             12  } the master key sealed with the
 *   6  scrypt logN           1      91  sealed master key 32  } wrapping key; bytes 0..78 are its
 *   7  scrypt r            u32     123  tag               16  } associated data
 *  11  scrypt p            u32     139  checksum          32  BLAKE3 of bytes 0..138
 *
 * The checksum trailer is the same in every version: it is checked before anything is parsed,
 * so corruption is told apart from a wrong passphrase. It is not a MAC (anyone can recompute
 * it); tampering is caught by the check value and the AEAD, whose associated data covers the
 * whole header.
 */
export const WRAPPED_KEY_MAGIC = Uint8Array.of(0x52, 0x53, 0x57, 0x4b)
export const WRAPPED_KEY_VERSION = 1
const KDF_ID_SCRYPT = 1
/** Random per blob: two blobs of one passphrase still get unrelated keys. */
export const SALT_LENGTH = 32
export const CHECK_LENGTH = 32
export const CHECKSUM_LENGTH = 32

const VERSION_OFFSET = WRAPPED_KEY_MAGIC.byteLength
const KDF_ID_OFFSET = VERSION_OFFSET + 1
const LOG_N_OFFSET = KDF_ID_OFFSET + 1
const R_OFFSET = LOG_N_OFFSET + 1
const P_OFFSET = R_OFFSET + 4
const SALT_OFFSET = P_OFFSET + 4
const CHECK_OFFSET = SALT_OFFSET + SALT_LENGTH
/** Where the sealed master key starts; everything before it is its associated data. */
export const SEALED_OFFSET = CHECK_OFFSET + CHECK_LENGTH
const CHECKSUM_OFFSET = SEALED_OFFSET + KEY_LENGTH + SEAL_OVERHEAD
export const WRAPPED_KEY_LENGTH = CHECKSUM_OFFSET + CHECKSUM_LENGTH

/** The fields of a wrapped key whose checksum and structure have been verified. */
export interface WrappedKeyFields {
  readonly params: KdfParams
  readonly salt: Uint8Array
  readonly check: Uint8Array
  /** Bytes 0..SEALED_OFFSET-1: the associated data of the sealed master key. */
  readonly header: Uint8Array
  readonly sealed: Uint8Array
}

/**
 * Allocates a blob and writes header, salt and check value; the caller seals the master key
 * at SEALED_OFFSET and then calls writeChecksum.
 */
export function writeWrappedKeyHeader (params: KdfParams, salt: Uint8Array, check: Uint8Array): Uint8Array {
  const blob = new Uint8Array(WRAPPED_KEY_LENGTH)
  const view = new DataView(blob.buffer)
  blob.set(WRAPPED_KEY_MAGIC, 0)
  view.setUint8(VERSION_OFFSET, WRAPPED_KEY_VERSION)
  view.setUint8(KDF_ID_OFFSET, KDF_ID_SCRYPT)
  view.setUint8(LOG_N_OFFSET, params.logN)
  view.setUint32(R_OFFSET, params.r)
  view.setUint32(P_OFFSET, params.p)
  blob.set(salt, SALT_OFFSET)
  blob.set(check, CHECK_OFFSET)
  return blob
}

/** Fills the checksum trailer of a blob of any version. */
export function writeChecksum (blob: Uint8Array): void {
  const bodyEnd = blob.byteLength - CHECKSUM_LENGTH
  blob.set(hash(blob.subarray(0, bodyEnd), CHECKSUM_LENGTH), bodyEnd)
}

/**
 * Verifies the checksum (IntegrityError), then the structure and the KDF bounds
 * (InvalidInputError: a blob that was written like this, but not by us or by a newer version).
 */
export function readWrappedKey (blob: Uint8Array): WrappedKeyFields {
  if (!(blob instanceof Uint8Array)) throw new InvalidInputError('a wrapped master key must be a Uint8Array')
  if (blob.byteLength < CHECKSUM_LENGTH) {
    throw new IntegrityError('wrapped master key', `wrapped master key of ${blob.byteLength} bytes is too short to hold its checksum`)
  }
  const bodyEnd = blob.byteLength - CHECKSUM_LENGTH
  if (!equalBytes(hash(blob.subarray(0, bodyEnd), CHECKSUM_LENGTH), blob.subarray(bodyEnd))) {
    throw new IntegrityError('wrapped master key', 'wrapped master key is corrupt: its checksum does not match')
  }
  if (!equalBytes(blob.subarray(0, VERSION_OFFSET), WRAPPED_KEY_MAGIC)) {
    throw new InvalidInputError('not a wrapped resilien master key (bad magic)')
  }
  const view = new DataView(blob.buffer, blob.byteOffset, blob.byteLength)
  const version = view.getUint8(VERSION_OFFSET)
  if (version !== WRAPPED_KEY_VERSION) {
    throw new InvalidInputError(`wrapped master key version ${version} is not supported (this build reads version ${WRAPPED_KEY_VERSION})`)
  }
  if (blob.byteLength !== WRAPPED_KEY_LENGTH) {
    throw new InvalidInputError(`wrapped master key has ${blob.byteLength} bytes, version ${WRAPPED_KEY_VERSION} has ${WRAPPED_KEY_LENGTH}`)
  }
  const kdfId = view.getUint8(KDF_ID_OFFSET)
  if (kdfId !== KDF_ID_SCRYPT) throw new InvalidInputError(`wrapped master key uses unknown KDF id ${kdfId}`)
  const params: KdfParams = {
    kdf: 'scrypt',
    logN: view.getUint8(LOG_N_OFFSET),
    r: view.getUint32(R_OFFSET),
    p: view.getUint32(P_OFFSET)
  }
  checkKdfParams(params)
  return {
    params,
    salt: blob.subarray(SALT_OFFSET, CHECK_OFFSET),
    check: blob.subarray(CHECK_OFFSET, SEALED_OFFSET),
    header: blob.subarray(0, SEALED_OFFSET),
    sealed: blob.subarray(SEALED_OFFSET, CHECKSUM_OFFSET)
  }
}
