import { InvalidInputError, ResilienError } from '@resilien/types'
import { BACKEND_ENV_VARIABLE } from './constants.js'
import { BACKEND_NAMES, describe, loadResult } from './load-backend.js'
import type { CompressionBackend, CompressionBackendName } from './types.js'

/** Which zstd implementation compressChunk and decompressChunk use in this process. */
export interface ActiveCompression {
  readonly name: CompressionBackendName
  /** The algorithm new frames get when compressing pays. */
  readonly algorithm: 'zstd'
  /** One line naming the library, e.g. for a startup log line. */
  readonly description: string
  /** True when RESILIEN_COMPRESSION chose it. */
  readonly forced: boolean
  readonly backend: CompressionBackend
}

function reason (error: unknown): string {
  return error instanceof Error ? error.message : String(error)
}

function isBackendName (value: string): value is CompressionBackendName {
  return (BACKEND_NAMES as readonly string[]).includes(value)
}

function activate (backend: CompressionBackend, forced: boolean): ActiveCompression {
  return Object.freeze({ name: backend.name, algorithm: 'zstd', description: describe(backend), forced, backend })
}

/** The backend named by RESILIEN_COMPRESSION, else the first that loads: native, then wasm. */
async function selectBackend (): Promise<ActiveCompression> {
  const forced = process.env[BACKEND_ENV_VARIABLE]
  if (forced !== undefined && forced !== '') {
    if (!isBackendName(forced)) {
      throw new InvalidInputError(`${BACKEND_ENV_VARIABLE}=${forced}: expected one of ${BACKEND_NAMES.join(', ')}`)
    }
    const { backend, error } = await loadResult(forced)
    if (backend === undefined) {
      throw new ResilienError(`${BACKEND_ENV_VARIABLE}=${forced}, but the ${forced} zstd backend does not load here: ${reason(error)}`, { cause: error })
    }
    return activate(backend, true)
  }
  const failures: string[] = []
  for (const name of BACKEND_NAMES) {
    const { backend, error } = await loadResult(name)
    if (backend !== undefined) return activate(backend, false)
    failures.push(`${name}: ${reason(error)}`)
  }
  throw new ResilienError(`no zstd backend loads here (${failures.join('; ')})`)
}

/** The implementation behind compressChunk and decompressChunk, chosen when this module loads. */
export const activeCompression: ActiveCompression = await selectBackend()
