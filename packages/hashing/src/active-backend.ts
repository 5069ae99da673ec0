import { InvalidInputError, ResilienError } from '@resilien/types'
import { BACKEND_ENV_VARIABLE } from './constants.js'
import { BACKEND_NAMES, describe, loadResult } from './load-backend.js'
import type { Blake3Backend, Blake3BackendName, Hasher, HasherOptions } from './types.js'

function reason (error: unknown): string {
  return error instanceof Error ? error.message : String(error)
}

function isBackendName (value: string): value is Blake3BackendName {
  return (BACKEND_NAMES as readonly string[]).includes(value)
}

/** The backend named by RESILIEN_BLAKE3, else the first that loads: native, then wasm. */
async function selectBackend (): Promise<Blake3Backend> {
  const forced = process.env[BACKEND_ENV_VARIABLE]
  if (forced !== undefined && forced !== '') {
    if (!isBackendName(forced)) {
      throw new InvalidInputError(`${BACKEND_ENV_VARIABLE}=${forced}: expected one of ${BACKEND_NAMES.join(', ')}`)
    }
    const { backend, error } = await loadResult(forced)
    if (backend === undefined) {
      throw new ResilienError(`${BACKEND_ENV_VARIABLE}=${forced}, but the ${forced} BLAKE3 backend does not load here: ${reason(error)}`, { cause: error })
    }
    return backend
  }
  const failures: string[] = []
  for (const name of BACKEND_NAMES) {
    const { backend, error } = await loadResult(name)
    if (backend !== undefined) return backend
    failures.push(`${name}: ${reason(error)}`)
  }
  throw new ResilienError(`no BLAKE3 backend loads here (${failures.join('; ')})`)
}

/** The backend behind the functions below, chosen when this module loads. */
export const activeBackend: Blake3Backend = await selectBackend()

/** Which backend is active and which libraries it uses, e.g. for a startup log line. */
export function describeBackend (backend: Blake3Backend = activeBackend): string {
  return describe(backend)
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
