import { ResilienError } from '@resilien/types'
import type { AbortOptions, ByteRange, Placement, ShardId, ShardSites, ShardStore, SiteId, StripeRecord } from '@resilien/types'

/** A site the node cannot reach (not this one, and no network yet). */
export class SiteUnreachableError extends ResilienError {
  readonly site: SiteId

  constructor (site: SiteId) {
    super(`site ${site} is unreachable`, { permanent: false })
    this.name = 'SiteUnreachableError'
    this.site = site
  }
}

/**
 * ShardSites for a node alone: its own site is its local store, every other site is
 * unreachable. The network version adds wire clients for the others behind the same interface.
 */
export function createLocalSites (self: SiteId, store: ShardStore): ShardSites {
  const local = (site: SiteId): ShardStore => {
    if (site !== self) throw new SiteUnreachableError(site)
    return store
  }
  return {
    async put (site: SiteId, id: ShardId, data: Uint8Array, options?: AbortOptions) {
      // The repository computed `id` from these bytes in this process: no need to hash them again.
      await local(site).put(id, data, { ...options, trustedId: true })
    },
    async get (site: SiteId, id: ShardId, range?: ByteRange, options?: AbortOptions) {
      return local(site).get(id, range, options)
    },
    async has (site: SiteId, ids: readonly ShardId[], options?: AbortOptions) {
      return local(site).has(ids, options)
    }
  }
}

/**
 * Placement on a cluster of one site: every shard on it. Such stripes survive no site loss;
 * `status` and `snapshots` say so.
 */
export function createSingleSitePlacement (self: SiteId): Placement {
  return {
    place (k: number, m: number) {
      return new Array<SiteId>(k + m).fill(self)
    },
    readOrder (stripe: StripeRecord) {
      return stripe.shards.map((_, i) => i)
    }
  }
}
