import type { AbortOptions, ByteRange, ShardId } from './shard-store.js'
import type { SiteId, StripeRecord } from './records.js'

/**
 * How the repository engines reach shards: put / get range / has on a set of sites. The node
 * implements it with its local store for its own site and with wire clients for the others;
 * the engines never touch the network or the disk layout themselves.
 */
export interface ShardSites {
  put (site: SiteId, id: ShardId, data: Uint8Array, options?: AbortOptions): Promise<void>
  /**
   * undefined when the site does not have the shard; throws when the site is unreachable or the
   * shard corrupt. The bytes are the caller's own: a buffer that no one else holds, which a
   * reader may detach to free it early.
   */
  get (site: SiteId, id: ShardId, range?: ByteRange, options?: AbortOptions): Promise<Uint8Array | undefined>
  has (site: SiteId, ids: readonly ShardId[], options?: AbortOptions): Promise<boolean[]>
}

export interface PlaceOptions {
  allowDegraded?: boolean
  /** Breaks ties deterministically and rotates shard order (the stripe's shard ids joined). */
  seed?: string
  /** Bytes of each shard, for the capacity check. */
  shardSize?: number
}

/**
 * Which sites get the shards of a new stripe, and in which order to read. Deterministic for a
 * given membership, zones, capacity and liveness.
 */
export interface Placement {
  /** k + m sites, in shard order. Throws when the policy cannot be met and degraded is not allowed. */
  place (k: number, m: number, options?: PlaceOptions): SiteId[]
  /** The sites of a stripe in the order to try reads: live and local first. */
  readOrder (stripe: StripeRecord): number[]
  /**
   * Per shard of a stripe, what reading it costs in shards sent over the network (0 local, 1 on a
   * live site, more on a down one). Without it, readers take the data shards they need as they are.
   */
  readCosts? (stripe: StripeRecord): number[]
  /**
   * Another site for shard `index` of a stripe being written to `sites`, after its site answered
   * that it has no room (it then takes no new shards for a while). The new site is in a zone the
   * stripe's other shards do not use, or, when degraded is allowed, any other site with room.
   * Undefined when there is none.
   */
  replaceFull? (sites: readonly SiteId[], index: number, options?: PlaceOptions): SiteId | undefined
}
