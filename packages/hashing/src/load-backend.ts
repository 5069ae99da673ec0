import { createRequire } from 'node:module'
import { BackendChoice } from '@resilien/types'
import type { DescribedBackend } from '@resilien/types'
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

function packageVersion (name: string): string {
  return (require(`${name}/package.json`) as { version: string }).version
}

async function loadWasm (): Promise<DescribedBackend<Blake3Backend>> {
  const backend = await createWasmBackend()
  return { backend, description: `wasm (${WASM_PACKAGE} ${packageVersion(WASM_PACKAGE)})` }
}

async function loadNative (): Promise<DescribedBackend<Blake3Backend>> {
  const binding = require(NATIVE_PACKAGE) as NativeBinding
  // What the binding lacks (outputs over 32 bytes, hashers that may be asked for them, derive-key
  // hashers) goes to wasm, else TypeScript: the description's "streaming and XOF".
  const wasm = (await backends.result('wasm')).backend
  const backend = createNativeBackend(binding, wasm ?? portableModes)
  const rest = wasm === undefined ? 'TypeScript' : `${WASM_PACKAGE} ${packageVersion(WASM_PACKAGE)}`
  return { backend, description: `native (${NATIVE_PACKAGE} ${packageVersion(NATIVE_PACKAGE)}; streaming and XOF: ${rest})` }
}

/** The BLAKE3 backends of this process, each loaded once. */
export const backends = new BackendChoice<Blake3BackendName, Blake3Backend>('BLAKE3', BACKEND_NAMES,
  async (name) => name === 'native' ? await loadNative() : await loadWasm())

/** A specific backend (for tests and benchmarks), or undefined when it does not load here. */
export async function loadBackend (name: Blake3BackendName): Promise<Blake3Backend | undefined> {
  return await backends.load(name)
}

/** The backends that load on this machine, preferred first. */
export async function availableBackends (): Promise<Blake3BackendName[]> {
  return await backends.available()
}
