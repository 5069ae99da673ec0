import { createRequire } from 'node:module'
import { BackendChoice } from '@resilien/types'
import type { DescribedBackend } from '@resilien/types'
import { createNativeBackend } from './native-backend.js'
import type { CompressionBackend, CompressionBackendName } from './types.js'
import { createWasmBackend } from './wasm-backend.js'

const require = createRequire(import.meta.url)

const WASM_PACKAGE = '@foxglove/wasm-zstd'

/** Every backend name, in order of preference. */
export const BACKEND_NAMES: readonly CompressionBackendName[] = Object.freeze(['native', 'wasm'])

async function loadNative (): Promise<DescribedBackend<CompressionBackend>> {
  const backend = createNativeBackend()
  if (backend === undefined) {
    throw new Error(`node:zlib of Node ${process.version} has no zstd (it needs Node >= 22.15 or >= 23.8)`)
  }
  return { backend, description: `native (node:zlib, libzstd ${process.versions.zstd ?? 'unknown'})` }
}

async function loadWasm (): Promise<DescribedBackend<CompressionBackend>> {
  const backend = await createWasmBackend()
  const { version } = require(`${WASM_PACKAGE}/package.json`) as { version: string }
  return { backend, description: `wasm (${WASM_PACKAGE} ${version})` }
}

/** The zstd backends of this process, each loaded once. */
export const backends = new BackendChoice<CompressionBackendName, CompressionBackend>('zstd', BACKEND_NAMES,
  async (name) => name === 'native' ? await loadNative() : await loadWasm())

/** A specific backend (for tests and benchmarks), or undefined when it does not load here. */
export async function loadBackend (name: CompressionBackendName): Promise<CompressionBackend | undefined> {
  return await backends.load(name)
}

/** The backends that load on this machine, preferred first. */
export async function availableBackends (): Promise<CompressionBackendName[]> {
  return await backends.available()
}
