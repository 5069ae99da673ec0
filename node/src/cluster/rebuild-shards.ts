import { activeErasure } from '@resilien/erasure'
import type { ErasureBackend } from '@resilien/erasure'
import { hash } from '@resilien/hashing'
import { IntegrityError, NotEnoughShardsError, toHex } from '@resilien/types'
import type { AbortOptions, ShardSites, StripeRecord } from '@resilien/types'

/**
 * Rebuilds shards of a stripe from others: fetches whole shards at `sources`, in that order,
 * until k arrived (ShardSites verifies each against its id; one that fails is skipped), decodes,
 * and checks every shard at `wanted` against its id, so a decoding fault never passes as data.
 * Returns all k + m shards. Used by repair (shards of a gone site) and scrub (a corrupt local one).
 */
export async function rebuildShards (
  stripe: StripeRecord,
  sources: readonly number[],
  wanted: readonly number[],
  sites: ShardSites,
  options: AbortOptions & { erasure?: ErasureBackend } = {}
): Promise<Uint8Array[]> {
  const { k, m } = stripe
  const shards: Array<Uint8Array | undefined> = new Array(k + m).fill(undefined)
  let have = 0
  for (const i of sources) {
    if (have >= k) break
    const placement = stripe.shards[i]
    if (placement === undefined || wanted.includes(i)) continue
    const bytes = await sites.get(placement.site, placement.id, undefined, options).catch(() => undefined)
    if (bytes === undefined) continue
    shards[i] = bytes
    have++
  }
  if (have < k) throw new NotEnoughShardsError(k, have, `only ${have} of the ${k} shards needed could be read`)
  const all = await (options.erasure ?? activeErasure).reconstruct(k, m, shards)
  for (const i of wanted) {
    const id = stripe.shards[i]?.id
    const bytes = all[i]
    if (id === undefined || bytes === undefined || toHex(hash(bytes)) !== id) {
      throw new IntegrityError(`shard ${id ?? i}`, `shard ${i} of pack ${stripe.pack} rebuilt from the others does not hash to its id`)
    }
  }
  return all
}
