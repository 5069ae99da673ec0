import { hash } from '@resilien/hashing'
import type { SiteId, StripeRecord } from '@resilien/types'

export interface TargetCandidate {
  site: SiteId
  zone: string
  storedBytes: number
}

/**
 * Where a rebuilt shard goes: a live, active site that holds no shard of this stripe, in a zone
 * that holds none either when such a zone exists (else the zone with fewest of its shards), the
 * least loaded first; ties by a rendezvous hash of pack and site, so every site would choose
 * alike. Undefined when no site can take it.
 */
export function chooseRepairTarget (stripe: StripeRecord, keep: ReadonlySet<number>, candidates: readonly TargetCandidate[], zoneOf: (site: SiteId) => string): SiteId | undefined {
  const holders = new Set<SiteId>()
  const zoneCount = new Map<string, number>()
  for (const i of keep) {
    const site = stripe.shards[i]?.site
    if (site === undefined) continue
    holders.add(site)
    zoneCount.set(zoneOf(site), (zoneCount.get(zoneOf(site)) ?? 0) + 1)
  }
  const score = (site: SiteId): string => Buffer.from(hash(Buffer.from(stripe.pack + site))).toString('hex')
  const ranked = candidates
    .filter((c) => !holders.has(c.site))
    .map((c) => ({ ...c, zoneShards: zoneCount.get(c.zone) ?? 0, score: score(c.site) }))
    .sort((a, b) => a.zoneShards - b.zoneShards || a.storedBytes - b.storedBytes || (a.score < b.score ? -1 : 1))
  return ranked[0]?.site
}
