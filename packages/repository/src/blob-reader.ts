import { hash } from '@resilien/hashing'
import { activeErasure, dataShardRange, joinDataShards } from '@resilien/erasure'
import type { ErasureBackend } from '@resilien/erasure'
import { IntegrityError, NotEnoughShardsError, NotFoundError, releaseBuffers, toHex } from '@resilien/types'
import type { AbortOptions, Placement, ShardSites, StripeRecord } from '@resilien/types'
import type { BlobType } from './format.js'
import { openBlob } from './open-blob.js'
import type { BlobKeys } from './open-blob.js'
import { ByteBudgetCache, LruCache } from './lru-cache.js'
import { shardsToRead } from './shard-reads.js'

export interface BlobReaderComponents {
  sites: ShardSites
  placement: Placement
  /** The stripe record of a pack (from the catalog). */
  stripe: (pack: string) => Promise<StripeRecord | undefined>
  erasure?: ErasureBackend
}

export type BlobReaderInit = BlobKeys

export interface ReadOptions extends AbortOptions {
  /**
   * Fetch whole data shards and keep the last few: restore reads most chunks of every pack it
   * touches, and one whole-shard read costs about what one small range read does.
   */
  wholeShards?: boolean
}

export interface BlobRef {
  id: Uint8Array
  type: BlobType
  pack: string
  offset: number
  length: number
}

/** Stripes looked up recently: restore reads many chunks of the same few packs. */
const STRIPE_CACHE_ENTRIES = 1024
/**
 * Packs decoded from k shards after a data shard failed (its site is down): reading the rest of
 * them needs no new decode. Restore has several files in flight over a few packs each, so a
 * handful of packs must fit, or every file evicts the pack the next one needs.
 */
const DECODED_PACK_CACHE_BYTES = 24 * 1024 * 1024

/** Whole data shards kept for whole-shard reads (restore): bounds the cache's memory. */
const SHARD_CACHE_BYTES = 16 * 1024 * 1024

/** Which shard read failed and why, kept as evidence when every way fails. */
export interface ShardFailure {
  shard: string
  site: string
  reason: string
}

/**
 * Reads one blob: a range read of the data shard that holds it (shards are systematic), or,
 * when that site is down or its shard corrupt, k shards decoded back into the pack. Then it
 * opens the seal (bound to type and id), decompresses, and checks the chunk id: corrupt data
 * is never returned.
 */
export class BlobReader {
  private readonly stripes = new LruCache<string, StripeRecord>(STRIPE_CACHE_ENTRIES)
  private readonly decoded = new ByteBudgetCache(DECODED_PACK_CACHE_BYTES)
  /** Decodes under way: concurrent reads of one pack share one decode instead of each fetching k shards. */
  private readonly decoding = new Map<string, Promise<Uint8Array>>()
  private readonly shardCache = new ByteBudgetCache(SHARD_CACHE_BYTES)
  private readonly shardReads = new Map<string, Promise<Uint8Array | undefined>>()
  /** Data shards being rebuilt from parity for whole-shard reads, per pack: concurrent reads share one rebuild. */
  private readonly rebuilding = new Map<string, Promise<Uint8Array[]>>()
  /** Shard reads that failed, for `check` and for repair (bounded: the newest few). */
  readonly failures: ShardFailure[] = []

  constructor (private readonly init: BlobReaderInit, private readonly components: BlobReaderComponents) {}

  /** Bytes of shards and decoded packs held by the caches. */
  get cachedBytes (): number {
    return this.shardCache.size + this.decoded.size
  }

  /**
   * Drops the cached shards and decoded packs (up to 40 MiB) once an operation that filled them
   * is over: a restore's or a prune's tree shards are of no use to the next job, and an idle
   * node should not hold them. Reads in flight keep what they hold.
   */
  dropCachedData (): void {
    this.shardCache.clear()
    this.decoded.clear()
  }

  async stripeOf (pack: string): Promise<StripeRecord> {
    const cached = this.stripes.get(pack)
    if (cached !== undefined) return cached
    const stripe = await this.components.stripe(pack)
    if (stripe === undefined) throw new NotFoundError('pack', pack, `pack ${pack} has no stripe record in the catalog`)
    this.stripes.set(pack, stripe)
    return stripe
  }

  /** The sealed bytes of a blob, straight from shards. */
  async readSealed (ref: BlobRef, options: ReadOptions = {}): Promise<Uint8Array> {
    const stripe = await this.stripeOf(ref.pack)
    const pack = this.decoded.get(ref.pack)
    if (pack !== undefined) return pack.subarray(ref.offset, ref.offset + ref.length)
    const ranges = dataShardRange(ref.offset, ref.length, stripe.shardLength)
    const settled = await Promise.allSettled(ranges.map(async (r) => {
      const shard = stripe.shards[r.shard]
      if (shard === undefined) throw new IntegrityError(`stripe ${stripe.pack} lacks shard ${r.shard}`)
      if (options.wholeShards === true) {
        const whole = await this.wholeShard(shard.site, shard.id, options)
        if (whole === undefined) throw new NotFoundError('shard', shard.id)
        return whole.subarray(r.offset, r.offset + r.length)
      }
      const bytes = await this.components.sites.get(shard.site, shard.id, { offset: r.offset, length: r.length }, options)
      if (bytes === undefined) throw new NotFoundError('shard', shard.id)
      return bytes
    }))
    const parts = settled.flatMap((r) => r.status === 'fulfilled' ? [r.value] : [])
    if (parts.length === ranges.length) return parts.length === 1 ? parts[0] as Uint8Array : Buffer.concat(parts)
    options.signal?.throwIfAborted()
    // Each shard that failed is recorded with its own error (a blob can span two data shards).
    settled.forEach((r, j) => { if (r.status === 'rejected') this.recordFailure(stripe, [(ranges[j] as { shard: number }).shard], r.reason) })
    if (options.wholeShards !== true) {
      const whole = await this.decodePack(stripe, options)
      return whole.subarray(ref.offset, ref.offset + ref.length)
    }
    // Whole-shard reads rebuild the data shards into the shard cache, so the pack's next
    // blobs are served from there; nothing is joined into a pack-sized copy.
    const data = await this.rebuildShards(stripe, options)
    const rebuilt = ranges.map((r) => (data[r.shard] as Uint8Array).subarray(r.offset, r.offset + r.length))
    return rebuilt.length === 1 ? rebuilt[0] as Uint8Array : Buffer.concat(rebuilt)
  }

  /**
   * Runs `use` on the sealed bytes of several blobs of one pack (a pack-ordered restore or a
   * repack): each data shard they touch is fetched whole, once, and checked against its id by
   * whoever serves it. If one of those fails, the data shards are rebuilt from any k verified
   * shards, reusing the ones that arrived. The views are valid until `use` settles: then the
   * shards fetched for it are released (transient-memory.ts), so the next young collection frees
   * them even if they were held across enough awaits to be promoted (a few MiB per pack, which
   * otherwise wait for V8's next full collection). `owned`: those shards, which `use` may also
   * hand on (transfer to a worker); a view of anything else (a cached shard, a blob joined across
   * two shards) belongs to the reader.
   */
  async withPackBlobs<T> (pack: string, refs: readonly BlobRef[], options: AbortOptions, use: (sealed: Uint8Array[], owned: readonly Uint8Array[]) => Promise<T> | T): Promise<T> {
    const stripe = await this.stripeOf(pack)
    const decoded = this.decoded.get(pack)
    if (decoded !== undefined) return await use(refs.map((r) => decoded.subarray(r.offset, r.offset + r.length)), [])
    const pieces = refs.map((r) => dataShardRange(r.offset, r.length, stripe.shardLength))
    const needed = [...new Set(pieces.flatMap((ranges) => ranges.map((r) => r.shard)))]
    /** Shards fetched or rebuilt for this call alone (ShardSites.get gives the caller its own buffer). */
    const fetched: Uint8Array[] = []
    try {
      const data = await this.dataShardsFor(stripe, needed, options, fetched)
      const sealed = pieces.map((ranges) => {
        const views = ranges.map((r) => (data[r.shard] as Uint8Array).subarray(r.offset, r.offset + r.length))
        return views.length === 1 ? views[0] as Uint8Array : Buffer.concat(views)
      })
      return await use(sealed, fetched)
    } finally {
      releaseBuffers(fetched)
    }
  }

  /**
   * The data shards `needed` of a stripe (others of the k may be there too), each verified:
   * read as the placement's costs say is cheapest (shardsToRead), decoded when that read took
   * parity, and rebuilt from any k shards when a read or that decode failed. What it fetched or
   * rebuilt goes into `fetched`.
   */
  private async dataShardsFor (stripe: StripeRecord, needed: readonly number[], options: AbortOptions, fetched: Uint8Array[]): Promise<ReadonlyArray<Uint8Array | undefined>> {
    const { placement } = this.components
    const erasure = this.components.erasure ?? activeErasure
    const costs = placement.readCosts?.(stripe)
    const toRead = costs === undefined ? needed : shardsToRead(stripe, needed, costs)
    const arrived = new Map<number, Uint8Array>()
    const results = await Promise.allSettled(toRead.map(async (i) => {
      const shard = stripe.shards[i]
      if (shard === undefined) throw new IntegrityError(`stripe ${stripe.pack} lacks shard ${i}`)
      const cached = this.shardCache.get(shard.id)
      const bytes = cached ?? await this.components.sites.get(shard.site, shard.id, undefined, options)
      if (bytes === undefined) throw new NotFoundError('shard', shard.id)
      if (cached === undefined) fetched.push(bytes)
      arrived.set(i, bytes)
    }))
    options.signal?.throwIfAborted()
    const failures = new Map<number, unknown>()
    results.forEach((r, j) => { if (r.status === 'rejected') failures.set(toRead[j] as number, r.reason) })
    if (failures.size === 0 && needed.every((i) => arrived.has(i))) return Array.from({ length: stripe.k }, (_, i) => arrived.get(i))
    if (failures.size === 0) {
      // The cheaper read took parity in place of remote data shards: decode them.
      const shards = Array.from({ length: stripe.k + stripe.m }, (_, i) => arrived.get(i))
      try {
        const rebuilt = await rebuildDataShards(stripe, shards, erasure)
        for (const shard of rebuilt) if (!shards.includes(shard)) fetched.push(shard)
        return rebuilt
      } catch (err) {
        if (!(err instanceof IntegrityError)) throw err
        // A decode that does not hash to the ids: the parity it used is not asked again, and the
        // data shards are read as they are below.
        for (const i of toRead) if (i >= stripe.k) failures.set(i, err)
      }
    }
    // A failed shard is not asked for again: its error is what fetchShards records for it.
    const shards = await this.fetchShards(stripe, options, async (site, id, i) => {
      if (failures.has(i)) throw failures.get(i)
      const had = arrived.get(i)
      if (had !== undefined) return had
      const bytes = await this.components.sites.get(site, id, undefined, options)
      if (bytes !== undefined) fetched.push(bytes)
      return bytes
    })
    const data = await rebuildDataShards(stripe, shards, erasure)
    // A data shard rebuilt from parity is a new buffer of this call's too.
    for (const shard of data) if (!shards.includes(shard)) fetched.push(shard)
    return data
  }

  /** The k data shards of a pack, rebuilt from any k verified shards; the rebuilt ones join the shard cache. */
  private async rebuildShards (stripe: StripeRecord, options: AbortOptions): Promise<Uint8Array[]> {
    let pending = this.rebuilding.get(stripe.pack)
    if (pending === undefined) {
      pending = (async () => {
        const shards = await this.fetchShards(stripe, options, async (site, id, i) =>
          i < stripe.k ? this.wholeShard(site, id, options) : this.components.sites.get(site, id, undefined, options))
        const data = await rebuildDataShards(stripe, shards, this.components.erasure ?? activeErasure)
        data.forEach((bytes, i) => {
          const id = stripe.shards[i]?.id
          if (id !== undefined && shards[i] === undefined) this.shardCache.set(id, bytes)
        })
        return data
      })()
      this.rebuilding.set(stripe.pack, pending)
      void pending.catch(() => {}).finally(() => this.rebuilding.delete(stripe.pack))
    }
    return pending
  }

  /** A whole data shard, from the cache or the site; concurrent requests share one read. */
  private async wholeShard (site: string, id: string, options: AbortOptions): Promise<Uint8Array | undefined> {
    const cached = this.shardCache.get(id)
    if (cached !== undefined) return cached
    let pending = this.shardReads.get(id)
    if (pending === undefined) {
      pending = this.components.sites.get(site, id, undefined, options)
      this.shardReads.set(id, pending)
      void pending.then((bytes) => { if (bytes !== undefined) this.shardCache.set(id, bytes) }, () => {})
        .finally(() => this.shardReads.delete(id))
    }
    return pending
  }

  /** The plaintext of a blob, verified against its id. */
  async read (ref: BlobRef, options: ReadOptions = {}): Promise<Uint8Array> {
    const sealed = await this.readSealed(ref, options)
    return this.openSealed(ref, sealed)
  }

  /** Opens, decompresses and verifies sealed blob bytes (openBlob with this repository's keys). */
  openSealed (ref: Pick<BlobRef, 'id' | 'type'>, sealed: Uint8Array): Uint8Array {
    return openBlob(this.init, ref, sealed)
  }

  /**
   * The whole sealed pack, from any k verified shards in the placement's read order. A whole
   * shard is checked against its id by whoever serves it (the local store, or the shard client
   * on the bytes that arrived: ShardSites' contract), so a lying site is caught and bypassed;
   * rebuilt data shards are checked here.
   */
  async decodePack (stripe: StripeRecord, options: AbortOptions = {}): Promise<Uint8Array> {
    const cached = this.decoded.get(stripe.pack)
    if (cached !== undefined) return cached
    let pending = this.decoding.get(stripe.pack)
    if (pending === undefined) {
      pending = this.fetchAndDecode(stripe, options)
      this.decoding.set(stripe.pack, pending)
      void pending.then((pack) => this.decoded.set(stripe.pack, pack), () => {}).finally(() => this.decoding.delete(stripe.pack))
    }
    return pending
  }

  /** Fetches k shards and joins the pack. */
  private async fetchAndDecode (stripe: StripeRecord, options: AbortOptions): Promise<Uint8Array> {
    const shards = await this.fetchShards(stripe, options, async (site, id) => this.components.sites.get(site, id, undefined, options))
    return await rebuildPack(stripe, shards, this.components.erasure ?? activeErasure)
  }

  /** Fetches k shards in parallel in the placement's read order, the next candidates replacing any that fail. */
  private async fetchShards (stripe: StripeRecord, options: AbortOptions, get: (site: string, id: string, index: number) => Promise<Uint8Array | undefined>): Promise<Array<Uint8Array | undefined>> {
    const { k, m } = stripe
    const shards: Array<Uint8Array | undefined> = new Array(k + m).fill(undefined)
    const candidates = this.components.placement.readOrder(stripe)
    let next = 0
    let have = 0
    const fetchOne = async (): Promise<void> => {
      while (have < k && next < candidates.length) {
        const i = candidates[next++] as number
        const placement = stripe.shards[i]
        if (placement === undefined) continue
        try {
          const bytes = await get(placement.site, placement.id, i)
          if (bytes === undefined) throw new NotFoundError('shard', placement.id)
          shards[i] = bytes
          have++
          return
        } catch (err) {
          if (options.signal?.aborted === true) throw err
          this.recordFailure(stripe, [i], err)
        }
      }
    }
    await Promise.all(Array.from({ length: k }, fetchOne))
    if (have < k) throw new NotEnoughShardsError(k, have, `pack ${stripe.pack}: needed ${k} good shards, got ${have}`)
    return shards
  }

  private recordFailure (stripe: StripeRecord, indexes: number[], err: unknown): void {
    const reason = err instanceof Error ? err.message : String(err)
    for (const i of indexes) {
      const s = stripe.shards[i]
      if (s === undefined) continue
      this.failures.push({ shard: s.id, site: s.site, reason })
      if (this.failures.length > 1000) this.failures.shift()
    }
  }
}

/**
 * The sealed pack from at least k verified shards of its stripe. Rebuilt data shards are
 * checked against their ids too, so a decoding fault cannot pass as data.
 */
export async function rebuildPack (stripe: StripeRecord, shards: ReadonlyArray<Uint8Array | undefined>, erasure: ErasureBackend): Promise<Uint8Array> {
  return joinDataShards(await rebuildDataShards(stripe, shards, erasure), stripe.packLength)
}

/** The k data shards of a stripe from at least k verified shards, rebuilt ones checked against their ids. */
export async function rebuildDataShards (stripe: StripeRecord, shards: ReadonlyArray<Uint8Array | undefined>, erasure: ErasureBackend): Promise<Uint8Array[]> {
  const { k, m } = stripe
  const missing = shards.slice(0, k).map((s, i) => s === undefined ? i : -1).filter((i) => i >= 0)
  const all = missing.length > 0 ? await erasure.reconstruct(k, m, shards) : shards
  for (const i of missing) {
    const id = stripe.shards[i]?.id
    if (id === undefined || toHex(hash(all[i] as Uint8Array)) !== id) throw new IntegrityError(`pack ${stripe.pack}`, `data shard ${i} of pack ${stripe.pack} rebuilt from parity does not hash to its id`)
  }
  return all.slice(0, k) as Uint8Array[]
}
