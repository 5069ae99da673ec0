import { InvalidInputError } from '@resilien/types'

/**
 * k, m for each small cluster size: parity 1 until there are 5 sites, so that every shard still
 * gets its own site; one site keeps 2+1 to survive a corrupt shard, not a site loss.
 */
const BY_SITE_COUNT: ReadonlyArray<{ k: number, m: number }> = [
  { k: 2, m: 1 },
  { k: 1, m: 1 },
  { k: 2, m: 1 },
  { k: 3, m: 1 }
]
/** From 5 sites on: survives the loss of any two sites at 5/3 storage overhead. */
const LARGE_CLUSTER = { k: 3, m: 2 }

/** Default k, m for a cluster of n sites: 1 -> 2+1 (all on one site), 2 -> 1+1, 3 -> 2+1, 4 -> 3+1, 5+ -> 3+2. */
export function defaultRedundancy (siteCount: number): { k: number, m: number } {
  if (!Number.isSafeInteger(siteCount) || siteCount < 1) {
    throw new InvalidInputError(`site count must be a positive integer, not ${String(siteCount)}`)
  }
  return { ...(BY_SITE_COUNT[siteCount - 1] ?? LARGE_CLUSTER) }
}
