import { generateKeyPairSync } from 'node:crypto'
import type { Site } from './site-process.js'

/** libp2p's protobuf header of an Ed25519 private key: type Ed25519, then 64 bytes of key. */
const ED25519_PROTOBUF_PREFIX = [0x08, 0x01, 0x12, 0x40]
/** Where the raw key starts in node's DER encodings (PKCS#8 private, SPKI public). */
const PKCS8_SEED_OFFSET = 16
const SPKI_KEY_OFFSET = 12

/** A libp2p identity that no cluster knows, in the protobuf form `createSiteHost` takes. */
export function newPeerKey (): Uint8Array {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519')
  const seed = privateKey.export({ format: 'der', type: 'pkcs8' }).subarray(PKCS8_SEED_OFFSET)
  const pub = publicKey.export({ format: 'der', type: 'spki' }).subarray(SPKI_KEY_OFFSET)
  return new Uint8Array(Buffer.concat([Buffer.from(ED25519_PROTOBUF_PREFIX), seed, pub]))
}

/** The peer id and listen address a started node printed. */
export function addressOf (site: Site): { peerId: string, addrs: string[] } {
  const match = /\((12D3\w+)\) is up.*listening on (\S+)/.exec(site.log)
  if (match === null) throw new Error(`${site.name} did not print its address:\n${site.log}`)
  return { peerId: match[1] as string, addrs: [match[2] as string] }
}
