import { OUT_LENGTH } from './constants.js'
import type { Blake3Backend, Blake3BackendName, Hasher } from './types.js'
import { checkContext, checkData, checkKey, checkOutLength } from './validate.js'

/**
 * What an implementation provides: the backend's operations with arguments already checked and
 * the output length always given.
 */
export interface Blake3Modes {
  hash (data: Uint8Array, outLength: number): Uint8Array
  keyedHash (key: Uint8Array, data: Uint8Array, outLength: number): Uint8Array
  deriveKey (context: string, keyMaterial: Uint8Array, outLength: number): Uint8Array
  createHasher (): Hasher
  createKeyedHasher (key: Uint8Array): Hasher
  createDeriveKeyHasher (context: string): Hasher
}

/** Checks a hasher's arguments before the implementation sees them. */
class CheckedHasher implements Hasher {
  constructor (private readonly inner: Hasher) {}

  update (data: Uint8Array): this {
    checkData(data)
    this.inner.update(data)
    return this
  }

  digest (outLength = OUT_LENGTH): Uint8Array {
    checkOutLength(outLength)
    return this.inner.digest(outLength)
  }
}

/** The public face of an implementation: every argument checked, then handed over. */
export function defineBackend (name: Blake3BackendName, modes: Blake3Modes): Blake3Backend {
  return Object.freeze({
    name,
    hash (data: Uint8Array, outLength = OUT_LENGTH): Uint8Array {
      checkData(data)
      checkOutLength(outLength)
      return modes.hash(data, outLength)
    },
    keyedHash (key: Uint8Array, data: Uint8Array, outLength = OUT_LENGTH): Uint8Array {
      checkKey(key)
      checkData(data)
      checkOutLength(outLength)
      return modes.keyedHash(key, data, outLength)
    },
    deriveKey (context: string, keyMaterial: Uint8Array, outLength = OUT_LENGTH): Uint8Array {
      checkContext(context)
      checkData(keyMaterial, 'key material')
      checkOutLength(outLength)
      return modes.deriveKey(context, keyMaterial, outLength)
    },
    createHasher (): Hasher {
      return new CheckedHasher(modes.createHasher())
    },
    createKeyedHasher (key: Uint8Array): Hasher {
      checkKey(key)
      return new CheckedHasher(modes.createKeyedHasher(key))
    },
    createDeriveKeyHasher (context: string): Hasher {
      checkContext(context)
      return new CheckedHasher(modes.createDeriveKeyHasher(context))
    }
  })
}
