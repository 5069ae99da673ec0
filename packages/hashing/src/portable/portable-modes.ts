import { DERIVE_KEY_CONTEXT, DERIVE_KEY_MATERIAL, IV, KEYED_HASH, OUT_LENGTH } from '../constants.js'
import type { Blake3Modes } from '../modes.js'
import { PortableHasher } from './portable-hasher.js'
import { keyWords } from './words.js'

const utf8 = new TextEncoder()

/** derive_key's first step: the context string hashed in its own domain gives the key of the second. */
export function deriveContextKey (context: string): Uint8Array {
  return new PortableHasher(IV as Uint32Array, DERIVE_KEY_CONTEXT).update(utf8.encode(context)).digest(OUT_LENGTH)
}

function createHasher (): PortableHasher {
  return new PortableHasher(IV as Uint32Array, 0)
}

function createKeyedHasher (key: Uint8Array): PortableHasher {
  return new PortableHasher(keyWords(key), KEYED_HASH)
}

function createDeriveKeyHasher (context: string): PortableHasher {
  return new PortableHasher(keyWords(deriveContextKey(context)), DERIVE_KEY_MATERIAL)
}

/** Every mode in plain TypeScript; arguments are checked by the backend that calls it. */
export const portableModes: Blake3Modes = Object.freeze({
  hash: (data: Uint8Array, outLength: number) => createHasher().update(data).digest(outLength),
  keyedHash: (key: Uint8Array, data: Uint8Array, outLength: number) => createKeyedHasher(key).update(data).digest(outLength),
  deriveKey: (context: string, material: Uint8Array, outLength: number) => createDeriveKeyHasher(context).update(material).digest(outLength),
  createHasher,
  createKeyedHasher,
  createDeriveKeyHasher
})
