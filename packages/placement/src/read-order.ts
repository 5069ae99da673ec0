import type { SiteId, StripeRecord } from '@resilien/types'

/** Read classes, tried in this order. */
const SELF_DATA = 0
const LIVE_DATA = 1
const SELF_PARITY = 2
const LIVE_PARITY = 3
const DOWN_DATA = 4
const DOWN_PARITY = 5

/**
 * Indices of stripe.shards in the order to try reads: data shards (no decoding) before parity,
 * local before remote, and shards on down or unknown sites after every live one, since trying
 * them costs a timeout. Stable: equal classes keep the shard order.
 */
export function readOrder (stripe: StripeRecord, self: SiteId, isUp: (site: SiteId) => boolean): number[] {
  const classes = stripe.shards.map((shard, index) => {
    const data = index < stripe.k
    if (shard.site === self) return data ? SELF_DATA : SELF_PARITY
    if (isUp(shard.site)) return data ? LIVE_DATA : LIVE_PARITY
    return data ? DOWN_DATA : DOWN_PARITY
  })
  return classes.map((_, index) => index).sort((a, b) => (classes[a] ?? 0) - (classes[b] ?? 0) || a - b)
}

/**
 * What reading each shard of a stripe costs, in shards sent over the network: 0 on this site,
 * 1 on a live site, and on a down or unknown site more than reading every live shard would
 * (a timeout, then the read again elsewhere).
 */
export function readCosts (stripe: StripeRecord, self: SiteId, isUp: (site: SiteId) => boolean): number[] {
  const down = stripe.shards.length + 1
  return stripe.shards.map((shard) => shard.site === self ? 0 : isUp(shard.site) ? 1 : down)
}
