import type { RedundancySummary } from '@resilien/control'
import { healthWithout, stripeHealth } from '@resilien/placement'
import type { SiteId } from '@resilien/types'
import type { NodeContext } from './node-context.js'

/**
 * Streams the catalog's stripes once: counts them by health, and sums the shard bytes the
 * catalog places on each site (a number per site in memory).
 */
export async function redundancySummary (ctx: Pick<NodeContext, 'catalog'>, isUp: (site: SiteId) => boolean, whatIf?: SiteId): Promise<{ summary: RedundancySummary, bytesPerSite: Map<SiteId, number>, without?: RedundancySummary }> {
  const summary: RedundancySummary = { stripes: 0, full: 0, degraded: 0, atRisk: 0, lost: 0 }
  const without: RedundancySummary = { stripes: 0, full: 0, degraded: 0, atRisk: 0, lost: 0 }
  const bytesPerSite = new Map<SiteId, number>()
  for await (const stripe of ctx.catalog.stripes()) {
    summary.stripes++
    summary[stripeHealth(stripe, isUp)]++
    if (whatIf !== undefined) {
      without.stripes++
      without[healthWithout(stripe, whatIf, isUp)]++
    }
    for (const shard of stripe.shards) bytesPerSite.set(shard.site, (bytesPerSite.get(shard.site) ?? 0) + shard.size)
  }
  return { summary, bytesPerSite, ...(whatIf === undefined ? {} : { without }) }
}

/** Plain sentences about redundancy for `status` and `snapshots`. */
export async function redundancyWarnings (ctx: Pick<NodeContext, 'membership' | 'cluster'>): Promise<string[]> {
  const warnings: string[] = []
  if (ctx.membership.alone()) {
    warnings.push('this cluster has a single site: every shard is on it, so its snapshots do NOT survive the loss of this site (add sites with `resilien invite` / `resilien join`)')
  }
  const down = ctx.membership.records().filter((s) => !ctx.cluster.liveness.isUp(s.site)).map((s) => s.name)
  if (down.length > 0) warnings.push(`site${down.length === 1 ? '' : 's'} down: ${down.join(', ')}`)
  return warnings
}
