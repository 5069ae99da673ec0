import type { SiteId, StripeRecord } from '@resilien/types'

/**
 * The commit rule: true when losing any one zone, and any m zones when m > 1, still leaves at
 * least k shards. Ignores liveness: it judges where the shards are, not whether they answer now.
 * The worst loss is that of the zones holding the most shards, so only those are checked.
 */
export function survivesDomainLoss (stripe: StripeRecord, zoneOf: (site: SiteId) => string): boolean {
  const perZone = new Map<string, number>()
  for (const shard of stripe.shards) {
    const zone = zoneOf(shard.site)
    perZone.set(zone, (perZone.get(zone) ?? 0) + 1)
  }
  const lost = Math.max(1, stripe.m)
  const largest = [...perZone.values()].sort((a, b) => b - a).slice(0, lost)
  const remaining = stripe.shards.length - largest.reduce((sum, count) => sum + count, 0)
  return remaining >= stripe.k
}
