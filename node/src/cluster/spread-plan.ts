import type { SiteId, StripeRecord } from '@resilien/types'
import { chooseRepairTarget } from './repair-target.js'
import type { TargetCandidate } from './repair-target.js'

/** One shard of a stripe to copy to another site. */
export interface SpreadMove {
  index: number
  to: SiteId
}

/**
 * The shards of a stripe beyond the first in their failure domain (zone), in index order; the
 * lowest index of each zone stays. A stripe written with `--allow-degraded` while too few zones
 * were up has some. With one shard per zone a stripe survives the loss of any m zones (the
 * commit rule, `survivesDomainLoss`), and placement never does otherwise while enough zones are
 * up: these are the shards to spread once they are.
 */
export function crowdedShards (stripe: StripeRecord, zoneOf: (site: SiteId) => string): number[] {
  const seen = new Set<string>()
  const crowded: number[] = []
  stripe.shards.forEach((shard, i) => {
    const zone = zoneOf(shard.site)
    if (seen.has(zone)) crowded.push(i)
    else seen.add(zone)
  })
  return crowded
}

/**
 * Where the crowded shards of a stripe go: each to a candidate in a zone that holds no shard of
 * the stripe (counting the moves planned before it), chosen as a rebuilt shard's site is
 * (`chooseRepairTarget`: least loaded, then a rendezvous hash, so every site would choose alike).
 * Each move takes one shard out of a crowded zone into an empty one, so moves never undo each
 * other. Crowded shards beyond the free zones stay until a site in another zone is up; empty
 * when there is nothing to do or nowhere to go.
 */
export function planSpread (stripe: StripeRecord, candidates: readonly TargetCandidate[], zoneOf: (site: SiteId) => string): SpreadMove[] {
  const crowded = crowdedShards(stripe, zoneOf)
  if (crowded.length === 0) return []
  const planned: StripeRecord = { ...stripe, shards: stripe.shards.map((s) => ({ ...s })) }
  const every = new Set(stripe.shards.keys())
  const moves: SpreadMove[] = []
  for (const index of crowded) {
    const used = new Set(planned.shards.map((s) => zoneOf(s.site)))
    const to = chooseRepairTarget(planned, every, candidates.filter((c) => !used.has(c.zone)), zoneOf)
    const shard = planned.shards[index]
    if (to === undefined || shard === undefined) break
    moves.push({ index, to })
    shard.site = to
  }
  return moves
}
