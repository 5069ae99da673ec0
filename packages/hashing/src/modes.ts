import { MAX_OUT_LENGTH, OUT_LENGTH } from './constants.js'
import type { Blake3Backend, Blake3BackendName, Hasher, HasherOptions } from './types.js'
import { checkContext, checkData, checkKey, checkOutLength } from './validate.js'
import { InvalidInputError } from '@resilien/types'

/**
 * What an implementation provides: the backend's operations with arguments already checked and
 * the output length always given.
 */
export interface Blake3Modes {
  hash (data: Uint8Array, outLength: number): Uint8Array
  keyedHash (key: Uint8Array, data: Uint8Array, outLength: number): Uint8Array
  deriveKey (context: string, keyMaterial: Uint8Array, outLength: number): Uint8Array
  /** `options.maxOutLength` is checked (and each digest against it) before the implementation sees it. */
  createHasher (options?: HasherOptions): Hasher
  createKeyedHasher (key: Uint8Array, options?: HasherOptions): Hasher
  createDeriveKeyHasher (context: string): Hasher
}

/** Checks a hasher's arguments before the implementation sees them. */
class CheckedHasher implements Hasher {
  constructor (private readonly inner: Hasher, private readonly maxOutLength = MAX_OUT_LENGTH) {}

  update (data: Uint8Array): this {
    checkData(data)
    this.inner.update(data)
    return this
  }

  digest (outLength = OUT_LENGTH): Uint8Array {
    checkOutLength(outLength)
    if (outLength > this.maxOutLength) throw new InvalidInputError(`this hasher was made for digests of at most ${this.maxOutLength} bytes, not ${outLength}`)
    return this.inner.digest(outLength)
  }
}

function maxOutLengthOf (options: HasherOptions): number {
  const max = options.maxOutLength ?? MAX_OUT_LENGTH
  checkOutLength(max)
  return max
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
    createHasher (options: HasherOptions = {}): Hasher {
      const max = maxOutLengthOf(options)
      return new CheckedHasher(modes.createHasher({ maxOutLength: max }), max)
    },
    createKeyedHasher (key: Uint8Array, options: HasherOptions = {}): Hasher {
      checkKey(key)
      const max = maxOutLengthOf(options)
      return new CheckedHasher(modes.createKeyedHasher(key, { maxOutLength: max }), max)
    },
    createDeriveKeyHasher (context: string): Hasher {
      checkContext(context)
      return new CheckedHasher(modes.createDeriveKeyHasher(context))
    }
  })
}
