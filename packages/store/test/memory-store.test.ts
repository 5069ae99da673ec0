import { createMemoryShardStore } from '../src/index.js'
import { shardStoreCompliance } from './compliance.js'

shardStoreCompliance('memory store', async () => {
  const store = createMemoryShardStore()
  return { store, cleanup: async () => { await store.close() } }
})
