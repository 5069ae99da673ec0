import { hash } from '@resilien/hashing'
import { activeErasure, splitIntoDataShards } from '@resilien/erasure'
import type { ErasureBackend } from '@resilien/erasure'
import { DiskFullError, toHex } from '@resilien/types'
import type { AbortOptions, Placement, RepoRecord, ShardSites, StripeRecord } from '@resilien/types'

export interface StripeWriterComponents {
  sites: ShardSites
  placement: Placement
  erasure?: ErasureBackend
}

export interface WriteStripeOptions extends AbortOptions {
  allowDegraded?: boolean
  /** `pack` followed by zeros to k aligned shards (see Packer): its data shards are taken as views. */
  padded?: Uint8Array
}

/**
 * A pack is named by BLAKE3 over its shard ids: content-derived like a hash of the pack (same
 * bytes, same k and m, same id) without hashing the pack's bytes once more, and checkable from
 * the stripe record alone.
 */
export function packIdOf (shardIds: readonly string[]): string {
  return toHex(hash(Buffer.from(shardIds.join(''), 'hex')))
}

/**
 * Erasure-codes one sealed pack into k data + m parity shards, names each shard by the BLAKE3
 * of its bytes, and puts every shard on the site placement chose for it, all in parallel; a
 * shard that a site has no room for goes to another site the placement allows. It
 * resolves once every site acknowledged its shard as durable; the caller then records the
 * stripe in the catalog. A failure leaves shards that no stripe record names: garbage that
 * prune removes, never a stripe that claims more than was stored.
 */
export async function writeStripe (pack: Uint8Array, repo: RepoRecord, components: StripeWriterComponents, options: WriteStripeOptions = {}): Promise<StripeRecord> {
  const { k, m } = repo
  const erasure = components.erasure ?? activeErasure
  const { shards: dataShards, shardLength } = splitIntoDataShards(options.padded ?? pack, k)
  const parity = m > 0 ? await erasure.encode(k, m, dataShards) : []
  const shards = [...dataShards, ...parity]
  const ids = shards.map((s) => toHex(hash(s)))
  const packId = packIdOf(ids)
  const placeOptions = { allowDegraded: options.allowDegraded ?? false, seed: ids.join(''), shardSize: shardLength }
  const sites = components.placement.place(k, m, placeOptions)
  await Promise.all(shards.map(async (shard, i) => {
    for (;;) {
      try {
        await components.sites.put(sites[i] as string, ids[i] as string, shard, options)
        return
      } catch (err) {
        // A site whose disk is full (its free space, as this site knew it, was stale): the
        // shard goes to another site the placement rules allow, if there is one.
        const other = err instanceof DiskFullError ? components.placement.replaceFull?.(sites, i, placeOptions) : undefined
        if (other === undefined) throw err
        sites[i] = other
      }
    }
  }))
  return {
    repo: repo.repo,
    pack: packId,
    k,
    m,
    packLength: pack.byteLength,
    shardLength,
    shards: shards.map((s, i) => ({ id: ids[i] as string, site: sites[i] as string, size: s.byteLength }))
  }
}
