export { createDiskShardStore } from './disk-shard-store.js'
export type { DiskShardStore, DiskShardStoreInit } from './disk-shard-store.js'
export { createMemoryShardStore } from './memory-shard-store.js'
export {
  DEFAULT_BLOCK_SIZE,
  DEFAULT_RESERVE_BYTES,
  MAX_BLOCK_SIZE,
  MAX_SHARD_SIZE,
  MIN_BLOCK_SIZE
} from './constants.js'
