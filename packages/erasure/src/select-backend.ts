import { InvalidInputError } from '@resilien/types'
import type { ErasureBackend, ErasureBackendName } from './erasure-backend.js'
import { createNativeBackend, nativeLoadError } from './native-backend.js'
import { portableBackend } from './portable-backend.js'

/** Environment variable that forces a backend: `native` or `portable`. */
export const ERASURE_BACKEND_ENV = 'RESILIEN_ERASURE'

let native: ErasureBackend | undefined
let nativeTried = false

/** The named backend, or undefined when it cannot run here (the native binding did not load). */
export function loadErasureBackend (name: ErasureBackendName): ErasureBackend | undefined {
  if (name === 'portable') return portableBackend
  if (name !== 'native') throw new InvalidInputError(`unknown erasure backend ${String(name)}`)
  if (!nativeTried) {
    nativeTried = true
    native = createNativeBackend()
  }
  return native
}

function selectBackend (): ErasureBackend {
  const forced = process.env[ERASURE_BACKEND_ENV]
  if (forced === undefined || forced === '') return loadErasureBackend('native') ?? portableBackend
  if (forced !== 'native' && forced !== 'portable') {
    throw new InvalidInputError(`${ERASURE_BACKEND_ENV} must be native or portable, got ${forced}`)
  }
  const backend = loadErasureBackend(forced)
  if (backend === undefined) {
    throw new InvalidInputError(`${ERASURE_BACKEND_ENV}=native but the native backend does not load here`, { cause: nativeLoadError })
  }
  return backend
}

/** Native if it loads, else portable; RESILIEN_ERASURE=native|portable forces one. */
export const activeErasure: ErasureBackend = selectBackend()
