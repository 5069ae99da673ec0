import type { RedundancySummary } from '@resilien/control'
import type { StripeRecord, SiteId } from '@resilien/types'
import type { NodeContext } from './node-context.js'

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
  for (const s of stripe.shards) {
    if (!isUp(s.site)) continue
    available++
    perSite.set(s.site, (perSite.get(s.site) ?? 0) + 1)
  }
  if (available < stripe.k) return 'lost'
  const worst = Math.max(0, ...perSite.values())
  if (available - worst < stripe.k) return 'atRisk'
  return available < stripe.k + stripe.m ? 'degraded' : 'full'
}

/** Streams the catalog's stripes once and counts them by health. */
export async function redundancySummary (ctx: Pick<NodeContext, 'catalog'>, isUp: (site: SiteId) => boolean): Promise<RedundancySummary> {
  const summary: RedundancySummary = { stripes: 0, full: 0, degraded: 0, atRisk: 0, lost: 0 }
  for await (const stripe of ctx.catalog.stripes()) {
    if (await ctx.catalog.isPackDeleted(stripe.repo, stripe.pack)) continue
    summary.stripes++
    summary[stripeHealth(stripe, isUp)]++
  }
  return summary
}

/** Plain sentences about redundancy for `status` and `snapshots`. */
export async function redundancyWarnings (ctx: NodeContext): Promise<string[]> {
  const warnings: string[] = []
  let sites = 0
  for await (const site of ctx.catalog.sites()) if (site.site !== '') sites++
  if (sites < 2) {
    warnings.push('this cluster has a single site: every shard is on it, so its snapshots do NOT survive the loss of this site (add sites with `resilien invite` / `resilien join`)')
  }
  return warnings
}
