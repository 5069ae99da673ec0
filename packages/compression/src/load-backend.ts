import { createRequire } from 'node:module'
import { InvalidInputError } from '@resilien/types'
import { createNativeBackend } from './native-backend.js'
import type { CompressionBackend, CompressionBackendName } from './types.js'
import { createWasmBackend } from './wasm-backend.js'

const require = createRequire(import.meta.url)

const WASM_PACKAGE = '@foxglove/wasm-zstd'

/** Every backend name, in order of preference. */
export const BACKEND_NAMES: readonly CompressionBackendName[] = Object.freeze(['native', 'wasm'])

/** What loading a backend gave: the backend, or why there is none here. */
interface LoadResult {
  readonly backend?: CompressionBackend
  readonly error?: unknown
}

const loads = new Map<CompressionBackendName, Promise<LoadResult>>()
const descriptions = new WeakMap<CompressionBackend, string>()

async function loadNative (): Promise<CompressionBackend> {
  const backend = createNativeBackend()
  if (backend === undefined) {
    throw new Error(`node:zlib of Node ${process.version} has no zstd (it needs Node >= 22.15 or >= 23.8)`)
  }
  const zstdVersion = process.versions.zstd ?? 'unknown'
  descriptions.set(backend, `native (node:zlib, libzstd ${zstdVersion})`)
  return backend
}

async function loadWasm (): Promise<CompressionBackend> {
  const backend = await createWasmBackend()
  const { version } = require(`${WASM_PACKAGE}/package.json`) as { version: string }
  descriptions.set(backend, `wasm (${WASM_PACKAGE} ${version})`)
  return backend
}

/** Loads a backend once per process; a failure is kept as the reason, not thrown. */
export async function loadResult (name: CompressionBackendName): Promise<LoadResult> {
  let load = loads.get(name)
  if (load === undefined) {
    const attempt = name === 'native' ? loadNative() : loadWasm()
    load = attempt.then((backend) => ({ backend }), (error: unknown) => ({ error }))
    loads.set(name, load)
  }
  return await load
}

/** A specific backend (for tests and benchmarks), or undefined when it does not load here. */
export async function loadBackend (name: CompressionBackendName): Promise<CompressionBackend | undefined> {
  if (!BACKEND_NAMES.includes(name)) throw new InvalidInputError(`unknown compression backend ${String(name)}`)
  return (await loadResult(name)).backend
}

/** The backends that load on this machine, preferred first. */
export async function availableBackends (): Promise<CompressionBackendName[]> {
  const names: CompressionBackendName[] = []
  for (const name of BACKEND_NAMES) {
    if ((await loadResult(name)).backend !== undefined) names.push(name)
  }
  return names
}

/** One line naming the backend and the library behind it. */
export function describe (backend: CompressionBackend): string {
  return descriptions.get(backend) ?? backend.name
}
