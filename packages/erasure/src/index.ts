export type { ErasureBackend, ErasureBackendName } from './erasure-backend.js'
export { activeErasure, loadErasureBackend, ERASURE_BACKEND_ENV } from './select-backend.js'
export { splitIntoDataShards, dataShardRange, joinDataShards } from './data-shards.js'
export { MAX_SHARDS, SHARD_ALIGNMENT } from './limits.js'
