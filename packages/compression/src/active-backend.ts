import type { ChosenBackend } from '@resilien/types'
import { BACKEND_ENV_VARIABLE } from './constants.js'
import { backends } from './load-backend.js'
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

function activate ({ backend, forced }: ChosenBackend<CompressionBackend>): ActiveCompression {
  return Object.freeze({ name: backend.name, algorithm: 'zstd', description: backends.describe(backend), forced, backend })
}

/**
 * The implementation behind compressChunk and decompressChunk, chosen when this module loads:
 * the one RESILIEN_COMPRESSION names, else the first that loads (native, then wasm).
 */
export const activeCompression: ActiveCompression = activate(await backends.choose(BACKEND_ENV_VARIABLE))
