import { InvalidInputError } from '@resilien/types'
import { formatBytes } from '@resilien/control'
import type { StatusArgs, StatusResult, SiteStatus } from '@resilien/control'
import type { NodeContext } from '../node-context.js'
import { redundancySummary, redundancyWarnings } from '../redundancy.js'

/** `status [--what-if SITE]`: sites, liveness, the redundancy summary, and with a site gone. */
export async function statusHandler (ctx: NodeContext, args: StatusArgs = {}): Promise<StatusResult> {
  const target = args.whatIf === undefined ? undefined : ctx.membership.byName(args.whatIf)
  if (args.whatIf !== undefined && target === undefined) throw new InvalidInputError(`no site named "${args.whatIf}" in this cluster`)
  const self = ctx.identity.peerId
  const { liveness } = ctx.cluster
  const isUp = (site: string): boolean => liveness.isUp(site)
  const stats = await ctx.store.stats()
  const { summary, bytesPerSite, without } = await redundancySummary(ctx, isUp, target?.site)
  const sites: SiteStatus[] = ctx.membership.records().map((site) => {
    const lastSeen = liveness.lastSeen(site.site)
    return {
      name: site.name,
      peerId: site.site,
      zone: site.zone,
      up: isUp(site.site),
      retiring: ctx.membership.isRetired(site.site),
      lastSeen: lastSeen === undefined ? null : new Date(lastSeen).toISOString(),
      // This site counts its own store; the others by the shards the catalog places on them.
      storedBytes: site.site === self ? stats.bytes : bytesPerSite.get(site.site) ?? 0
    }
  })
  return {
    sites,
    redundancy: summary,
    ...(without === undefined || target === undefined ? {} : { whatIf: { site: target.name, restorable: without.lost === 0, ...without } }),
    warnings: [...await redundancyWarnings(ctx), ...sites.filter((s) => s.retiring).map(drainWarning)]
  }
}

function drainWarning (site: SiteStatus): string {
  return site.storedBytes === 0
    ? `${site.name} is retiring and holds no shards any more: it can be stopped`
    : `${site.name} is retiring: ${formatBytes(site.storedBytes)} of shards still to move off it; stop it once it shows 0 B`
}
