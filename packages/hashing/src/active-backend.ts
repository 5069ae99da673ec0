import { BACKEND_ENV_VARIABLE } from './constants.js'
import { backends } from './load-backend.js'
import type { Blake3Backend, Hasher, HasherOptions } from './types.js'

/**
 * The backend behind the functions below, chosen when this module loads: the one RESILIEN_BLAKE3
 * names, else the first that loads (native, then wasm).
 */
export const activeBackend: Blake3Backend = (await backends.choose(BACKEND_ENV_VARIABLE)).backend

/** Which backend is active and which libraries it uses, e.g. for a startup log line. */
export function describeBackend (backend: Blake3Backend = activeBackend): string {
  return backends.describe(backend)
}

export function hash (data: Uint8Array, outLength?: number): Uint8Array {
  return activeBackend.hash(data, outLength)
}

export function keyedHash (key: Uint8Array, data: Uint8Array, outLength?: number): Uint8Array {
  return activeBackend.keyedHash(key, data, outLength)
}

export function deriveKey (context: string, keyMaterial: Uint8Array, outLength?: number): Uint8Array {
  return activeBackend.deriveKey(context, keyMaterial, outLength)
}

export function createHasher (options?: HasherOptions): Hasher {
  return activeBackend.createHasher(options)
}

export function createKeyedHasher (key: Uint8Array, options?: HasherOptions): Hasher {
  return activeBackend.createKeyedHasher(key, options)
}

export function createDeriveKeyHasher (context: string): Hasher {
  return activeBackend.createDeriveKeyHasher(context)
}
