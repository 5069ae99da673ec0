import type { StatusResult, SiteStatus } from '@resilien/control'
import type { NodeContext } from '../node-context.js'
import { redundancySummary, redundancyWarnings } from '../redundancy.js'

export async function statusHandler (ctx: NodeContext): Promise<StatusResult> {
  const self = ctx.identity.peerId
  const isUp = (site: string): boolean => site === self
  const stats = await ctx.store.stats()
  const sites: SiteStatus[] = []
  for await (const site of ctx.catalog.sites()) {
    const up = isUp(site.site)
    sites.push({
      name: site.name,
      peerId: site.site,
      zone: site.zone,
      up,
      lastSeen: up ? new Date().toISOString() : null,
      storedBytes: site.site === self ? stats.bytes : 0
    })
  }
  return { sites, redundancy: await redundancySummary(ctx, isUp), warnings: await redundancyWarnings(ctx) }
}
