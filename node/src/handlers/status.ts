import type { StatusResult, SiteStatus } from '@resilien/control'
import type { NodeContext } from '../node-context.js'
import { redundancySummary, redundancyWarnings } from '../redundancy.js'

export async function statusHandler (ctx: NodeContext): Promise<StatusResult> {
  const self = ctx.identity.peerId
  const { liveness } = ctx.cluster
  const isUp = (site: string): boolean => liveness.isUp(site)
  const stats = await ctx.store.stats()
  const { summary, bytesPerSite } = await redundancySummary(ctx, isUp)
  const sites: SiteStatus[] = ctx.membership.records().map((site) => {
    const lastSeen = liveness.lastSeen(site.site)
    return {
      name: site.name,
      peerId: site.site,
      zone: site.zone,
      up: isUp(site.site),
      lastSeen: lastSeen === undefined ? null : new Date(lastSeen).toISOString(),
      // This site counts its own store; the others by the shards the catalog places on them.
      storedBytes: site.site === self ? stats.bytes : bytesPerSite.get(site.site) ?? 0
    }
  })
  return { sites, redundancy: summary, warnings: await redundancyWarnings(ctx) }
}
