import type { SiteId, StripeRecord } from '@resilien/types'

/** The stripe that needs the most sites once `site` is gone, and how many it needs. */
export interface SitesNeeded {
  sites: number
  k: number
  m: number
}

/**
 * How many sites other than `site` the stripes holding a shard on it need for repair to move
 * those shards away: a rebuilt shard goes to a site that holds none of its stripe
 * (repair-target.ts), so a stripe needs its other holders plus one new site per shard on
 * `site`. Undefined when `site` holds no shard. Streams the stripes once; keeps one answer.
 */
export async function sitesNeededWithout (stripes: AsyncIterable<StripeRecord>, site: SiteId): Promise<SitesNeeded | undefined> {
  let widest: SitesNeeded | undefined
  for await (const stripe of stripes) {
    const onSite = stripe.shards.filter((s) => s.site === site).length
    if (onSite === 0) continue
    const others = new Set(stripe.shards.map((s) => s.site).filter((s) => s !== site)).size
    const needed = others + onSite
    if (widest === undefined || needed > widest.sites) widest = { sites: needed, k: stripe.k, m: stripe.m }
  }
  return widest
}

/** Why the sites left cannot hold every stripe with one shard per site (a clause of one line). */
export function describeShortfall (needed: SitesNeeded, left: number): string {
  return `some of its packs need ${needed.sites} sites (${needed.k} data + ${needed.m} parity shards, one per site), and ${left} would be left`
}
