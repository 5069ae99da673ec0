export type { Blake3Backend, Blake3BackendName, Hasher, HasherOptions } from './types.js'
export { KEY_LENGTH, OUT_LENGTH, MAX_OUT_LENGTH, BACKEND_ENV_VARIABLE } from './constants.js'
export { loadBackend, availableBackends } from './load-backend.js'
export {
  activeBackend,
  describeBackend,
  hash,
  keyedHash,
  deriveKey,
  createHasher,
  createKeyedHasher,
  createDeriveKeyHasher
} from './active-backend.js'
