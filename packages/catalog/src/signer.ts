import { createPrivateKey, createPublicKey, KeyObject, sign } from 'node:crypto'
import { InvalidInputError } from '@resilien/types'
import type { SiteId } from '@resilien/types'

/** Signs this site's log entries; the node backs it with the site's libp2p Ed25519 key. */
export interface SiteSigner {
  readonly site: SiteId
  sign (data: Uint8Array): Uint8Array
}

/**
 * The Ed25519 public key (32 raw bytes) of a site, or undefined if unknown. The node derives it
 * from the libp2p peer id; tests use a map.
 */
export type PublicKeyResolver = (site: SiteId) => Uint8Array | undefined

export const ED25519_SEED_LENGTH = 32
export const ED25519_PUBLIC_KEY_LENGTH = 32
export const ED25519_SIGNATURE_LENGTH = 64

// DER headers that turn raw Ed25519 keys into the PKCS#8 / SPKI structures Node imports (RFC 8410).
const PKCS8_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex')
const SPKI_PREFIX = Buffer.from('302a300506032b6570032100', 'hex')

function privateKeyObject (privateKey: KeyObject | Uint8Array): KeyObject {
  if (privateKey instanceof KeyObject) {
    if (privateKey.type !== 'private' || privateKey.asymmetricKeyType !== 'ed25519') {
      throw new InvalidInputError(`expected an Ed25519 private key, got a ${privateKey.type} ${privateKey.asymmetricKeyType ?? ''} key`)
    }
    return privateKey
  }
  if (!(privateKey instanceof Uint8Array) || privateKey.byteLength !== ED25519_SEED_LENGTH) {
    throw new InvalidInputError(`an Ed25519 private key is a KeyObject or a ${ED25519_SEED_LENGTH}-byte seed`)
  }
  return createPrivateKey({ key: Buffer.concat([PKCS8_PREFIX, privateKey]), format: 'der', type: 'pkcs8' })
}

export function createEd25519Signer (site: SiteId, privateKey: KeyObject | Uint8Array): SiteSigner {
  const key = privateKeyObject(privateKey)
  return {
    site,
    sign: (data: Uint8Array): Uint8Array => new Uint8Array(sign(null, data, key))
  }
}

/** The 32 raw public key bytes of an Ed25519 private key (a KeyObject or a 32-byte seed). */
export function ed25519PublicKey (privateKey: KeyObject | Uint8Array): Uint8Array {
  const spki = createPublicKey(privateKeyObject(privateKey)).export({ format: 'der', type: 'spki' })
  return new Uint8Array(spki.subarray(SPKI_PREFIX.byteLength))
}

/** Imports a raw 32-byte Ed25519 public key. */
export function ed25519PublicKeyObject (raw: Uint8Array): KeyObject {
  if (!(raw instanceof Uint8Array) || raw.byteLength !== ED25519_PUBLIC_KEY_LENGTH) {
    throw new InvalidInputError(`an Ed25519 public key is ${ED25519_PUBLIC_KEY_LENGTH} raw bytes`)
  }
  return createPublicKey({ key: Buffer.concat([SPKI_PREFIX, raw]), format: 'der', type: 'spki' })
}
