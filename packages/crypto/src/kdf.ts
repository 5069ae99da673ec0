import { scrypt } from 'node:crypto'
import { InvalidInputError } from '@resilien/types'

/**
 * scrypt cost parameters (RFC 7914). N = 2^logN, so N is always a power of two. Memory is
 * about 128 * N * r bytes, time grows with N * r * p.
 */
export interface ScryptParams {
  readonly kdf: 'scrypt'
  readonly logN: number
  readonly r: number
  readonly p: number
}

/** The passphrase KDF and its parameters; a union when another KDF (argon2id) is added. */
export type KdfParams = ScryptParams

/**
 * Defaults: N = 2^16, r = 8, p = 2: 64 MiB of memory and the work of N = 2^17, p = 1 (the
 * OWASP minimum), about 0.45 s on the 2-core x86-64 build machine (a Pi 4 should take a few
 * seconds). OpenSSL runs the p lanes one after another, so p = 2 doubles the work without
 * doubling memory: the node unwraps inside a 150 MiB budget on a 2 GB Pi that also runs a
 * Nextcloud, while an offline attacker still pays 64 MiB and the full work per guess.
 * Unwrapping is rare (the node caches opened keys for a while), so seconds are acceptable.
 */
export const DEFAULT_KDF_PARAMS: KdfParams = Object.freeze({ kdf: 'scrypt', logN: 16, r: 8, p: 2 })

/** Cheap parameters for tests only (1 MiB, a few ms). The lowest that unwrap accepts. */
export const TEST_KDF_PARAMS: KdfParams = Object.freeze({ kdf: 'scrypt', logN: 10, r: 8, p: 1 })

/**
 * What wrap and unwrap accept. A wrapped key is read from the catalog, i.e. from other sites:
 * these caps keep a crafted blob from making us allocate gigabytes or compute for minutes.
 * Memory is capped at twice the default and work (N * r * p) at eight times the default, which
 * leaves room to raise the defaults later without old nodes refusing new blobs.
 */
export const KDF_LIMITS = Object.freeze({
  minLogN: 10,
  maxLogN: 20,
  minR: 1,
  maxR: 32,
  minP: 1,
  maxP: 16,
  /** Cap on 128 * N * r, the V array that dominates scrypt's memory. */
  maxMemoryBytes: 256 * 1024 * 1024,
  /** Cap on N * r * p, proportional to the time taken. */
  maxWork: 2 ** 23
})

/** Length of the KDF output; sub-keys (wrapping key, check value) are derived from it. */
export const KDF_OUTPUT_LENGTH = 32

function inRange (value: number, min: number, max: number): boolean {
  return Number.isInteger(value) && value >= min && value <= max
}

/** Throws InvalidInputError unless the parameters are within KDF_LIMITS. Runs nothing. */
export function checkKdfParams (params: KdfParams): void {
  const L = KDF_LIMITS
  if (params.kdf !== 'scrypt') throw new InvalidInputError(`unknown KDF ${String(params.kdf)}`)
  const { logN, r, p } = params
  if (!inRange(logN, L.minLogN, L.maxLogN)) throw new InvalidInputError(`scrypt logN ${logN} outside ${L.minLogN}..${L.maxLogN}`)
  if (!inRange(r, L.minR, L.maxR)) throw new InvalidInputError(`scrypt r ${r} outside ${L.minR}..${L.maxR}`)
  if (!inRange(p, L.minP, L.maxP)) throw new InvalidInputError(`scrypt p ${p} outside ${L.minP}..${L.maxP}`)
  const memory = 128 * 2 ** logN * r
  if (memory > L.maxMemoryBytes) throw new InvalidInputError(`scrypt would use ${memory} bytes, more than ${L.maxMemoryBytes}`)
  const work = 2 ** logN * r * p
  if (work > L.maxWork) throw new InvalidInputError(`scrypt work N*r*p = ${work} exceeds ${L.maxWork}`)
}

/**
 * Runs scrypt on the NFC-normalized UTF-8 passphrase, on libuv's thread pool. NFC makes the
 * same passphrase typed on different systems (composed or decomposed accents) give one key.
 * Callers on a Pi should not run many of these at once: each holds its memory for its duration.
 */
export async function deriveFromPassphrase (passphrase: string, salt: Uint8Array, params: KdfParams): Promise<Uint8Array> {
  checkKdfParams(params)
  const N = 2 ** params.logN
  const { r, p } = params
  // OpenSSL counts the V array (N + 2 blocks) and the B array (p blocks) of 128 * r bytes each.
  const maxmem = 128 * r * (N + p + 2)
  const secret = Buffer.from(passphrase.normalize('NFC'), 'utf8')
  try {
    return await new Promise<Uint8Array>((resolve, reject) => {
      scrypt(secret, salt, KDF_OUTPUT_LENGTH, { N, r, p, maxmem }, (err, key) => {
        if (err === null) resolve(key)
        else reject(err)
      })
    })
  } finally {
    secret.fill(0)
  }
}
