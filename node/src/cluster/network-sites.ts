import { ShardClient } from '@resilien/wire'
import type { SiteHost } from '@resilien/wire'
import { ResilienError } from '@resilien/types'
import type { AbortOptions, ByteRange, ShardId, ShardSites, ShardStore, SiteId } from '@resilien/types'

/** A site this node has no connection to right now. */
export class SiteUnreachableError extends ResilienError {
  readonly site: SiteId

  constructor (site: SiteId) {
    super(`site ${site} is unreachable`, { permanent: false })
    this.name = 'SiteUnreachableError'
    this.site = site
  }
}

/**
 * ShardSites of a cluster member: this site is its own store, every other site goes through
 * the shard protocol. A site that is not connected fails at once unless a dial to it is under
 * way (then it waits for that dial): a restore turns to the other shards rather than waiting
 * for the redial loop's next attempt.
 */
export function createNetworkSites (self: SiteId, store: ShardStore, host: SiteHost, dialSettled: (site: SiteId) => Promise<void> = async () => {}): ShardSites {
  const client = new ShardClient(host)
  const remote = async (site: SiteId): Promise<SiteId> => {
    if (!host.isConnected(site)) await dialSettled(site)
    if (!host.isConnected(site)) throw new SiteUnreachableError(site)
    return site
  }
  return {
    async put (site: SiteId, id: ShardId, data: Uint8Array, options?: AbortOptions) {
      // Locally the repository computed `id` from these bytes in this process: no second hash.
      if (site === self) await store.put(id, data, { ...options, trustedId: true })
      else await client.put(await remote(site), id, data, options)
    },
    async get (site: SiteId, id: ShardId, range?: ByteRange, options?: AbortOptions) {
      if (site === self) return store.get(id, range, options)
      return client.get(await remote(site), id, range, options)
    },
    async has (site: SiteId, ids: readonly ShardId[], options?: AbortOptions) {
      if (site === self) return store.has(ids, options)
      return client.has(await remote(site), ids, options)
    }
  }
}
