import { createRequire } from 'node:module'
import { InvalidInputError } from '@resilien/types'
import { createNativeBackend } from './native-backend.js'
import type { NativeBinding } from './native-backend.js'
import { portableModes } from './portable/portable-modes.js'
import type { Blake3Backend, Blake3BackendName } from './types.js'
import { createWasmBackend } from './wasm/wasm-backend.js'

const require = createRequire(import.meta.url)

const NATIVE_PACKAGE = '@napi-rs/blake-hash'
const WASM_PACKAGE = 'hash-wasm'

/** Every backend name, in order of preference. */
export const BACKEND_NAMES: readonly Blake3BackendName[] = Object.freeze(['native', 'wasm'])

/** What loading a backend gave: the backend, or why there is none here. */
export interface LoadResult {
  readonly backend?: Blake3Backend
  readonly error?: unknown
}

const loads = new Map<Blake3BackendName, Promise<LoadResult>>()
const descriptions = new WeakMap<Blake3Backend, string>()

function packageVersion (name: string): string {
  return (require(`${name}/package.json`) as { version: string }).version
}

async function loadWasm (): Promise<Blake3Backend> {
  const backend = await createWasmBackend()
  descriptions.set(backend, `wasm (${WASM_PACKAGE} ${packageVersion(WASM_PACKAGE)})`)
  return backend
}

async function loadNative (): Promise<Blake3Backend> {
  const binding = require(NATIVE_PACKAGE) as NativeBinding
  const wasm = (await loadResult('wasm')).backend
  const backend = createNativeBackend(binding, wasm ?? portableModes)
  const rest = wasm === undefined ? 'TypeScript' : `${WASM_PACKAGE} ${packageVersion(WASM_PACKAGE)}`
  descriptions.set(backend, `native (${NATIVE_PACKAGE} ${packageVersion(NATIVE_PACKAGE)}; streaming and XOF: ${rest})`)
  return backend
}

/** Loads a backend once per process; a failure is kept as the reason, not thrown. */
export async function loadResult (name: Blake3BackendName): Promise<LoadResult> {
  let load = loads.get(name)
  if (load === undefined) {
    const attempt = name === 'native' ? loadNative() : loadWasm()
    load = attempt.then((backend) => ({ backend }), (error: unknown) => ({ error }))
    loads.set(name, load)
  }
  return await load
}

/** A specific backend (for tests and benchmarks), or undefined when it does not load here. */
export async function loadBackend (name: Blake3BackendName): Promise<Blake3Backend | undefined> {
  if (!BACKEND_NAMES.includes(name)) throw new InvalidInputError(`unknown BLAKE3 backend ${String(name)}`)
  return (await loadResult(name)).backend
}

/** The backends that load on this machine, preferred first. */
export async function availableBackends (): Promise<Blake3BackendName[]> {
  const names: Blake3BackendName[] = []
  for (const name of BACKEND_NAMES) {
    if ((await loadResult(name)).backend !== undefined) names.push(name)
  }
  return names
}

/** One line naming the backend and the libraries behind it. */
export function describe (backend: Blake3Backend): string {
  return descriptions.get(backend) ?? backend.name
}
