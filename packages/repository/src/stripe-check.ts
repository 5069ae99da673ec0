import { hash } from '@resilien/hashing'
import { toHex, CorruptShardError } from '@resilien/types'
import type { AbortOptions, ShardSites, StripeRecord } from '@resilien/types'

export interface ShardProblem {
  /** 'unreachable': the site could not be reached, so the shard was not checked (not a fault of the shard). */
  kind: 'missing-shard' | 'corrupt-shard' | 'unreachable'
  shard: string
  site: string
  pack: string
  message: string
}

/** Asks every site of a stripe whether it holds its shards (no data moves). */
export async function checkStripePresence (sites: ShardSites, stripe: StripeRecord, options: AbortOptions = {}): Promise<ShardProblem[]> {
  const bySite = new Map<string, string[]>()
  for (const s of stripe.shards) bySite.set(s.site, [...(bySite.get(s.site) ?? []), s.id])
  const problems: ShardProblem[] = []
  for (const [site, ids] of bySite) {
    let answer: boolean[]
    try {
      answer = await sites.has(site, ids, options)
    } catch (err) {
      if (options.signal?.aborted === true) throw err
      for (const id of ids) problems.push({ kind: unreachable(err) ? 'unreachable' : 'missing-shard', shard: id, site, pack: stripe.pack, message: `site ${site} did not answer for shard ${id}: ${(err as Error).message}` })
      continue
    }
    ids.forEach((id, i) => {
      if (answer[i] !== true) problems.push({ kind: 'missing-shard', shard: id, site, pack: stripe.pack, message: `shard ${id} of pack ${stripe.pack} is missing on site ${site}` })
    })
  }
  return problems
}

/**
 * Reads every shard of a stripe whole and checks it against its id (the store checks too; this
 * also catches a site that lies). Returns the shards that were good, by index, for callers that
 * go on to decode the pack.
 */
export async function readStripeShards (sites: ShardSites, stripe: StripeRecord, options: AbortOptions = {}): Promise<{ shards: Array<Uint8Array | undefined>, problems: ShardProblem[], bytes: number }> {
  const problems: ShardProblem[] = []
  let bytes = 0
  const shards = await Promise.all(stripe.shards.map(async (s) => {
    try {
      const data = await sites.get(s.site, s.id, undefined, options)
      if (data === undefined) {
        problems.push({ kind: 'missing-shard', shard: s.id, site: s.site, pack: stripe.pack, message: `shard ${s.id} of pack ${stripe.pack} is missing on site ${s.site}` })
        return undefined
      }
      bytes += data.byteLength
      if (toHex(hash(data)) !== s.id) throw new CorruptShardError(s.id)
      return data
    } catch (err) {
      if (options.signal?.aborted === true) throw err
      const corrupt = err instanceof CorruptShardError || (err instanceof Error && err.name === 'CorruptShardError')
      problems.push({
        kind: corrupt ? 'corrupt-shard' : unreachable(err) ? 'unreachable' : 'missing-shard',
        shard: s.id,
        site: s.site,
        pack: stripe.pack,
        message: corrupt ? `shard ${s.id} of pack ${stripe.pack} on site ${s.site} is corrupt` : `shard ${s.id} on site ${s.site} could not be read: ${(err as Error).message}`
      })
      return undefined
    }
  }))
  return { shards, problems, bytes }
}

/** The network layer's error for a site it has no connection to (by name: this package does not depend on it). */
function unreachable (err: unknown): boolean {
  return err instanceof Error && err.name === 'SiteUnreachableError'
}
