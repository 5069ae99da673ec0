import type { StripeRecord } from '@resilien/types'

/**
 * Which shards of a stripe to fetch for its data shards `needed` (indexes below k): those data
 * shards as they are, or, when that sends more shards over the network, the k cheapest shards
 * of the stripe, from which the caller decodes the data shards. `costs` (per shard index, what
 * reading it sends over the network) come from Placement.readCosts; among equal costs the lower
 * index goes first, so data shards before parity, as in Placement.readOrder.
 *
 * Where it matters: a site holding a parity shard of a stripe whose k data shards are all
 * elsewhere reads that parity shard and k - 1 data shards instead of k remote ones (2 + 1: one
 * shard over the network instead of two, a third of a site's stripes), and a needed data shard
 * on a down site is not asked for at all. A decode of one shard costs far less CPU than the
 * sender's disk read and encryption, the transfer, and the receiver's decryption and hash.
 * Ties keep the data shards (no decode).
 */
export function shardsToRead (stripe: StripeRecord, needed: readonly number[], costs: readonly number[]): readonly number[] {
  const cost = (indexes: readonly number[]): number => indexes.reduce((sum, i) => sum + (costs[i] ?? Infinity), 0)
  const direct = cost(needed)
  if (direct === 0) return needed
  const cheapest = costs.map((_, i) => i).sort((a, b) => (costs[a] as number) - (costs[b] as number) || a - b).slice(0, stripe.k)
  return cheapest.length === stripe.k && cost(cheapest) < direct ? cheapest : needed
}
