import { RemoteError, ShardClient } from '@resilien/wire'
import type { SiteHost } from '@resilien/wire'
import { DiskFullError, ResilienError, isPermanent } from '@resilien/types'
import type { AbortOptions, ByteRange, ShardId, ShardSites, ShardStore, SiteId } from '@resilien/types'
import { sleep } from './sleep.js'

/** A site this node has no connection to right now. */
export class SiteUnreachableError extends ResilienError {
  readonly site: SiteId

  constructor (site: SiteId) {
    super(`site ${site} is unreachable`, { permanent: false })
    this.name = 'SiteUnreachableError'
    this.site = site
  }
}

/** A put cut by a broken connection is tried this many times in all, the site redialled between. */
export const PUT_ATTEMPTS = 4
/** Wait before the first retry of a put; it doubles after each further failure (0.5 + 1 + 2 s). */
const PUT_RETRY_MS = 500

/** How network-sites reaches other sites: what the liveness loop offers. */
export interface SiteDialer {
  /** Waits for a dial to `site` that is under way, if any. */
  settled: (site: SiteId) => Promise<void>
  /** Dials `site` now, whatever its redial backoff. */
  reconnect: (site: SiteId) => Promise<void>
}

const NO_DIALER: SiteDialer = { settled: async () => {}, reconnect: async () => {} }

/**
 * ShardSites of a cluster member: this site is its own store, every other site goes through
 * the shard protocol. A site that is not connected fails at once unless a dial to it is under
 * way (then it waits for that dial): a restore turns to the other shards rather than waiting
 * for the redial loop's next attempt. A put, which has no other shard to turn to, is retried
 * when its connection breaks (a cut fibre, a reset): the site is redialled at once and the
 * whole shard sent again (the receiver kept nothing of the cut one), PUT_ATTEMPTS times in all.
 * A site without room is not asked again: its answer becomes a DiskFullError at once, and the
 * stripe writer places the shard on another site.
 */
export function createNetworkSites (self: SiteId, store: ShardStore, host: SiteHost, dialer: SiteDialer = NO_DIALER): ShardSites {
  const client = new ShardClient(host)
  const remote = async (site: SiteId): Promise<SiteId> => {
    if (!host.isConnected(site)) await dialer.settled(site)
    if (!host.isConnected(site)) throw new SiteUnreachableError(site)
    return site
  }
  return {
    async put (site: SiteId, id: ShardId, data: Uint8Array, options?: AbortOptions) {
      // Locally the repository computed `id` from these bytes in this process: no second hash.
      if (site === self) {
        await store.put(id, data, { ...options, trustedId: true })
        return
      }
      for (let attempt = 1; ; attempt++) {
        try {
          await client.put(await remote(site), id, data, options)
          return
        } catch (err) {
          // No room there: sending the shard again will not make room; the caller may place it elsewhere.
          if (err instanceof RemoteError && err.code === 'disk-full') throw new DiskFullError(`site ${site}`, data.byteLength, 0, err.message)
          if (options?.signal?.aborted === true || isPermanent(err) || attempt >= PUT_ATTEMPTS) throw err
          await sleep(PUT_RETRY_MS * 2 ** (attempt - 1), options?.signal)
          await dialer.reconnect(site)
        }
      }
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
