import type { SiteId, StripeRecord } from '@resilien/types'

export type StripeHealth = 'full' | 'degraded' | 'atRisk' | 'lost'

/**
 * How one stripe stands, from the catalog's shard map and site liveness (no data is read):
 * - lost: fewer than k shards on live sites;
 * - atRisk: readable now, but losing the one live site with most of its shards would leave
 *   fewer than k (a single site holding all shards is at risk: it survives no site loss);
 * - degraded: survives any one site loss, but some shards are on sites that are down;
 * - full: all k + m shards on live sites, and any one site may go.
 */
export function stripeHealth (stripe: StripeRecord, isUp: (site: SiteId) => boolean): StripeHealth {
  const perSite = new Map<SiteId, number>()
  let available = 0
  let worst = 0
  for (const shard of stripe.shards) {
    if (!isUp(shard.site)) continue
    available++
    const count = (perSite.get(shard.site) ?? 0) + 1
    perSite.set(shard.site, count)
    if (count > worst) worst = count
  }
  if (available < stripe.k) return 'lost'
  if (available - worst < stripe.k) return 'atRisk'
  return available < stripe.k + stripe.m ? 'degraded' : 'full'
}

/** For `status --what-if SITE`: the health of a stripe if `site` were gone (before any repair). */
export function healthWithout (stripe: StripeRecord, site: SiteId, isUp: (site: SiteId) => boolean): StripeHealth {
  return stripeHealth(stripe, (other) => other !== site && isUp(other))
}
