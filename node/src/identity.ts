import { createPrivateKey, createPublicKey, generateKeyPairSync } from 'node:crypto'
import type { KeyObject } from 'node:crypto'
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { InvalidInputError, replaceFileDurably } from '@resilien/types'

/** File of the site's Ed25519 key, in libp2p's protobuf private-key format (so libp2p loads it as is). */
export const IDENTITY_FILE = 'identity.key'

export interface SiteIdentity {
  /** The libp2p peer id string (base58btc, "12D3KooW..."): the site's id everywhere. */
  peerId: string
  seed: Uint8Array
  publicKey: Uint8Array
  privateKey: KeyObject
}

// PKCS#8 / SPKI DER prefixes of an Ed25519 key (RFC 8410): the raw 32 bytes follow.
const PKCS8_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex')
const SPKI_PREFIX = Buffer.from('302a300506032b6570032100', 'hex')
// libp2p protobuf: field 1 (KeyType) = 1 (Ed25519), field 2 (Data) = bytes.
const PB_PRIVATE_PREFIX = Buffer.from([0x08, 0x01, 0x12, 0x40])
const PB_PUBLIC_PREFIX = Buffer.from([0x08, 0x01, 0x12, 0x20])
const BASE58 = '123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz'

function base58btc (bytes: Uint8Array): string {
  let n = BigInt('0x' + (Buffer.from(bytes).toString('hex') || '0'))
  let out = ''
  while (n > 0n) {
    out = (BASE58[Number(n % 58n)] as string) + out
    n /= 58n
  }
  for (const b of bytes) {
    if (b !== 0) break
    out = '1' + out
  }
  return out
}

function fromBase58btc (text: string): Uint8Array | undefined {
  let n = 0n
  for (const c of text) {
    const v = BASE58.indexOf(c)
    if (v < 0) return undefined
    n = n * 58n + BigInt(v)
  }
  let hex = n.toString(16)
  if (hex.length % 2 === 1) hex = '0' + hex
  const zeros = text.length - text.replace(/^1+/, '').length
  return Buffer.concat([Buffer.alloc(zeros), Buffer.from(n === 0n ? '' : hex, 'hex')])
}

/** The libp2p peer id of an Ed25519 public key: identity multihash of its protobuf form. */
export function peerIdOf (publicKey: Uint8Array): string {
  const pb = Buffer.concat([PB_PUBLIC_PREFIX, publicKey])
  return base58btc(Buffer.concat([Buffer.from([0x00, pb.byteLength]), pb]))
}

/** The Ed25519 public key inside a peer id, or undefined for anything else. */
export function publicKeyOfPeerId (peerId: string): Uint8Array | undefined {
  const bytes = fromBase58btc(peerId)
  if (bytes === undefined || bytes.byteLength !== 2 + 36 || bytes[0] !== 0x00 || bytes[1] !== 36) return undefined
  const pb = Buffer.from(bytes.subarray(2))
  if (!pb.subarray(0, 4).equals(PB_PUBLIC_PREFIX)) return undefined
  return new Uint8Array(pb.subarray(4))
}

function fromSeed (seed: Uint8Array): SiteIdentity {
  const privateKey = createPrivateKey({ key: Buffer.concat([PKCS8_PREFIX, seed]), format: 'der', type: 'pkcs8' })
  const spki = createPublicKey(privateKey).export({ format: 'der', type: 'spki' })
  const publicKey = new Uint8Array(spki.subarray(SPKI_PREFIX.byteLength))
  return { peerId: peerIdOf(publicKey), seed, publicKey, privateKey }
}

export async function createIdentity (dataDir: string): Promise<SiteIdentity> {
  const { privateKey } = generateKeyPairSync('ed25519')
  const der = privateKey.export({ format: 'der', type: 'pkcs8' })
  const identity = fromSeed(new Uint8Array(der.subarray(PKCS8_PREFIX.byteLength)))
  await replaceFileDurably(join(dataDir, IDENTITY_FILE), Buffer.concat([PB_PRIVATE_PREFIX, identity.seed, identity.publicKey]))
  return identity
}

export async function loadIdentity (dataDir: string): Promise<SiteIdentity> {
  const bytes = await readFile(join(dataDir, IDENTITY_FILE))
  if (bytes.byteLength !== 4 + 64 || !bytes.subarray(0, 4).equals(PB_PRIVATE_PREFIX)) {
    throw new InvalidInputError(`${IDENTITY_FILE} in ${dataDir} is not an Ed25519 key`)
  }
  const identity = fromSeed(new Uint8Array(bytes.subarray(4, 36)))
  if (!Buffer.from(identity.publicKey).equals(bytes.subarray(36))) throw new InvalidInputError(`${IDENTITY_FILE} in ${dataDir} is damaged`)
  return identity
}

/** The identity in libp2p's protobuf private-key form (the bytes of identity.key), for the libp2p host. */
export function identityProtobuf (identity: SiteIdentity): Uint8Array {
  return new Uint8Array(Buffer.concat([PB_PRIVATE_PREFIX, identity.seed, identity.publicKey]))
}
