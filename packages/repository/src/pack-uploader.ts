import { noteDroppedBytes } from '@resilien/types'
import type { Placement, RepoRecord, ShardSites, AbortOptions } from '@resilien/types'
import type { Catalog } from '@resilien/catalog'
import type { ErasureBackend } from '@resilien/erasure'
import type { ChunkIndex } from './chunk-index.js'
import { paddedPackLength } from './packer.js'
import type { FinishedPack } from './packer.js'
import { writeStripe } from './stripe-writer.js'

export interface PackUploaderComponents {
  catalog: Catalog
  sites: ShardSites
  placement: Placement
  index: ChunkIndex
  erasure?: ErasureBackend
}

export interface PackUploaderOptions extends AbortOptions {
  /** Packs being erasure-coded and stored at once; bounds memory to about this many packs times (k+m)/k. */
  maxInFlight: number
  allowDegraded?: boolean
  /** Called after each pack is durable everywhere and recorded. */
  onStored?: (pack: FinishedPack, storedBytes: number) => void
  /**
   * Count packs without storing or recording them (`backup --dry-run`): the bytes stored are
   * what the repository's k + m shards of the padded pack would take.
   */
  dryRun?: boolean
}

/** Packs in flight by default: several in flight let the stores group their fsyncs while the next pack fills. */
export const DEFAULT_PACKS_IN_FLIGHT = 3
/**
 * Packs in flight when every shard goes to this site's own disk (a cluster of one site): a
 * local stripe is stored while the next pack fills, so one is enough. Measured on a 270 MB
 * first backup: the same time as 3, and a node peak ~6 MiB lower (two pack buffers fewer).
 */
export const LOCAL_PACKS_IN_FLIGHT = 1

/**
 * Stores finished packs in the background while the engine fills the next one: erasure code,
 * put shards, record the stripe in the catalog, then index the pack's blobs (in that order, so
 * the index never points into a pack the catalog does not know). At most `maxInFlight` packs
 * are in flight; `submit` waits for room. After one failure every later call rethrows it: a
 * writer that failed once refuses further work rather than writing half.
 */
export class PackUploader {
  private readonly inFlight = new Set<Promise<void>>()
  private failure: unknown
  packs = 0
  packedBytes = 0
  storedBytes = 0

  constructor (
    private readonly repo: RepoRecord,
    private readonly components: PackUploaderComponents,
    private readonly options: PackUploaderOptions
  ) {}

  async submit (pack: FinishedPack): Promise<void> {
    this.throwIfFailed()
    while (this.inFlight.size >= this.options.maxInFlight) {
      await Promise.race(this.inFlight)
      this.throwIfFailed()
    }
    const task = this.store(pack).catch((err: unknown) => {
      this.failure ??= err
    })
    this.inFlight.add(task)
    void task.finally(() => this.inFlight.delete(task))
  }

  /** Waits for every pack in flight, including ones submitted meanwhile; rethrows the first failure. */
  async flush (): Promise<void> {
    while (this.inFlight.size > 0) await Promise.all(this.inFlight)
    this.throwIfFailed()
  }

  /**
   * Waits for the packs in flight now, not for ones submitted meanwhile (which flush would, so
   * that with other producers busy it returns only once they all pause); rethrows the first failure.
   */
  async settled (): Promise<void> {
    await Promise.all([...this.inFlight])
    this.throwIfFailed()
  }

  private throwIfFailed (): void {
    if (this.failure !== undefined) throw this.failure
  }

  private async store (pack: FinishedPack): Promise<void> {
    if (this.options.dryRun === true) return this.count(pack)
    const stripe = await writeStripe(pack.bytes, this.repo, this.components, { ...this.options, padded: pack.padded })
    // Every shard is stored: the buffer may be reused. After a failure a put may still be reading
    // it, so then it is left to the collector.
    pack.release?.()
    // The parity shards and what the puts allocated (cipher outputs of a remote put) are dead now.
    noteDroppedBytes(stripe.shards.reduce((n, s) => n + s.size, 0))
    await this.components.catalog.append([{ type: 'pack-stored', stripe }])
    await this.components.index.addStoredPack(stripe.pack, pack.entries)
    const stored = stripe.shards.reduce((n, s) => n + s.size, 0)
    this.packs++
    this.packedBytes += pack.bytes.byteLength
    this.storedBytes += stored
    this.options.onStored?.(pack, stored)
  }

  private count (pack: FinishedPack): void {
    const { k, m } = this.repo
    const stored = paddedPackLength(pack.bytes.byteLength, k) / k * (k + m)
    pack.release?.()
    this.packs++
    this.packedBytes += pack.bytes.byteLength
    this.storedBytes += stored
  }
}
