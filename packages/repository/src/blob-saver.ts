import { keyedHash } from '@resilien/hashing'
import { compressChunk } from '@resilien/compression'
import { chunkLengths } from '@resilien/chunking'
import { toHex } from '@resilien/types'
import type { AbortOptions } from '@resilien/types'
import { BlobType, ID_LENGTH } from './format.js'
import type { SealPool } from './seal-pool.js'
import { makeSealJob } from './seal-job.js'
import type { EncodedPackEntries } from './index-object.js'
import { draftIndexObject, storeIndexObject } from './index-writer.js'
import { Packer, packBufferBytes } from './packer.js'
import { BufferPool } from './buffer-pool.js'
import type { FinishedPack } from './packer.js'
import { PackUploader, DEFAULT_PACKS_IN_FLIGHT } from './pack-uploader.js'
import { packsInFlight } from './limiter.js'
import { RecentlyIndexed } from './recently-indexed.js'
import type { Repository } from './repository.js'
import type { BlobLocationEntry } from './chunk-index.js'

/** Packs after which an index object is published during a long backup: bounds what an interrupted backup leaves unindexed, and the size of one index object (~64 x 100 entries). */
export const PACKS_PER_INDEX_OBJECT = 64
/** Entries after which an index object is closed even with fewer packs (packs of tiny tree blobs hold many). */
export const ENTRIES_PER_INDEX_OBJECT = 16384

/** First buffer of a tree pack (it doubles as tree blobs arrive, up to a whole pack buffer). */
export const TREE_PACK_START_BYTES = 256 * 1024

/** A compressed frame's growth over its chunk at worst (header byte, incompressible input). */
const FRAME_SLACK_BYTES = 64

/** Seal jobs in flight per worker: one running, one queued, so a worker never waits for the main thread. */
export const SEAL_JOBS_PER_WORKER = 2
/** Plaintext gathered into one seal job: small files give one-chunk saves, and a message per chunk would cost more than sealing it. */
export const SEAL_JOB_BYTES = 2 * 1024 * 1024

export interface BlobSaverOptions extends AbortOptions {
  allowDegraded?: boolean
  /** Worker threads that compress and seal; without one, blobs are sealed on the calling thread. */
  sealPool?: SealPool
  maxPacksInFlight?: number
  onPackStored?: (storedBytes: number) => void
  /** Seal and count, store and record nothing (`backup --dry-run`; see DRY_RUN_REMEMBERED_BLOBS). */
  dryRun?: boolean
}

/**
 * New blobs a dry run remembers, so that a chunk seen twice in one run counts once. A real
 * backup forgets a blob once its pack is indexed; a dry run indexes nothing, so it keeps the
 * most recent ones only (about 4 GiB of new data at the 64 KiB average, ~10 MiB of memory): a
 * chunk that repeats further apart than that is counted twice in the estimate.
 */
export const DRY_RUN_REMEMBERED_BLOBS = 65536

export interface SaveStats {
  newChunks: number
  newBytes: number
  packs: number
  packedBytes: number
  storedBytes: number
}

/**
 * The write side of a repository for one backup: deduplicates blobs against the index and the
 * packs in flight, compresses and seals new ones into packs (file data and trees in separate
 * packs, as restic does, so that trees stay together), stores full packs in the background,
 * and publishes index objects. `finish` makes everything durable and recorded; only then may a
 * snapshot reference what was saved.
 */
export class BlobSaver {
  private readonly dataPacker: Packer
  private readonly treePacker: Packer
  private readonly uploader: PackUploader
  /** Ids (hex) of blobs sealed into packs whose entries are not in the index yet. Bounded by the packs in flight. */
  private readonly unindexed = new Set<string>()
  /** Ids that left `unindexed` while a lookup was open, which that lookup's answer may lack. */
  private readonly recentlyIndexed = new RecentlyIndexed()
  private packsSincePublish = 0
  /** Seal jobs running in the pool, with what to do with their result. */
  private readonly jobs = new Set<Promise<void>>()
  private jobFailure: unknown
  /** Finished packs waiting for room in the uploader (settled when it takes them; see mustWaitForRoom). */
  private readonly waitingPacks = new Set<Promise<void>>()
  /** New blobs waiting to fill a seal job, per blob type. */
  private readonly gathering = new Map<BlobType, { ids: Uint8Array[], plains: Uint8Array[], bytes: number }>()
  newChunks = 0
  newBytes = 0
  private indexPacks = 0
  private indexPackedBytes = 0
  private indexStoredBytes = 0
  /** A dry run's new blob ids, oldest at dryRunNext once full (see remember). */
  private readonly dryRunRing: Array<string | undefined> | undefined
  private dryRunNext = 0

  constructor (private readonly repo: Repository, private readonly options: BlobSaverOptions = {}) {
    const { keys, record } = repo
    this.dryRunRing = options.dryRun === true ? new Array<string | undefined>(DRY_RUN_REMEMBERED_BLOBS) : undefined
    const maxInFlight = packsInFlight(options.maxPacksInFlight, DEFAULT_PACKS_IN_FLIGHT)
    const maxBlob = repo.maxBlobSize + FRAME_SLACK_BYTES
    // Packs in flight plus the data packer's next buffer are reused; the pool keeps no more idle.
    const pool = new BufferPool(packBufferBytes(record.packSize, maxBlob, record.k), maxInFlight + 1)
    this.dataPacker = new Packer(keys.dataKey, keys.metadataKey, record.packSize, maxBlob, record.k, pool)
    // Tree blobs trickle in as folders complete, and a first backup's trees are often a small
    // part of a pack: the tree pack grows from TREE_PACK_START_BYTES rather than holding a
    // whole pack buffer for the length of the backup.
    this.treePacker = new Packer(keys.dataKey, keys.metadataKey, record.packSize, maxBlob, record.k, pool, TREE_PACK_START_BYTES)
    this.uploader = new PackUploader(record, { ...repo.components, index: repo.index }, {
      maxInFlight,
      ...(options.allowDegraded === undefined ? {} : { allowDegraded: options.allowDegraded }),
      ...(options.signal === undefined ? {} : { signal: options.signal }),
      ...(options.dryRun === true ? { dryRun: true } : {}),
      onStored: (pack, stored) => {
        const ids = pack.entries.map((e) => toHex(e.id))
        for (const id of ids) this.unindexed.delete(id)
        this.recentlyIndexed.add(ids)
        this.packsSincePublish++
        options.onPackStored?.(stored)
      }
    })
  }

  get stats (): SaveStats {
    return {
      newChunks: this.newChunks,
      newBytes: this.newBytes,
      packs: this.uploader.packs + this.indexPacks,
      packedBytes: this.uploader.packedBytes + this.indexPackedBytes,
      storedBytes: this.uploader.storedBytes + this.indexStoredBytes
    }
  }

  /** Saves a run of plaintext blobs of one type; returns their ids (hex) in order. */
  async save (type: BlobType, blobs: readonly Uint8Array[]): Promise<string[]> {
    const key = this.repo.keys.chunkIdKey
    return this.saveNamed(type, blobs, blobs.map((b) => keyedHash(key, b)))
  }

  /** save, with the blobs' ids (keyed BLAKE3 of each) already computed. */
  private async saveNamed (type: BlobType, blobs: readonly Uint8Array[], ids: readonly Uint8Array[]): Promise<string[]> {
    const hex = ids.map(toHex)
    const fresh = await this.pickNew(ids, hex, blobs.map((b) => b.byteLength))
    const packer = type === BlobType.data ? this.dataPacker : this.treePacker
    const pool = this.options.sealPool
    if (pool !== undefined && pool.size > 0) {
      if (fresh.length > 0) {
        const gathered = this.gathering.get(type) ?? { ids: [], plains: [], bytes: 0 }
        this.gathering.set(type, gathered)
        for (const i of fresh) {
          gathered.ids.push(ids[i] as Uint8Array)
          gathered.plains.push(blobs[i] as Uint8Array)
          gathered.bytes += (blobs[i] as Uint8Array).byteLength
        }
        if (gathered.bytes >= SEAL_JOB_BYTES) await this.dispatchGathered(pool, type)
      }
    } else {
      for (const i of fresh) {
        while (this.mustWaitForRoom(packer)) await this.packTaken()
        const plain = blobs[i] as Uint8Array
        packer.add(type, ids[i] as Uint8Array, compressChunk(plain), plain.byteLength)
        if (packer.full) await this.submit(packer.finish())
      }
    }
    if (this.packsSincePublish >= PACKS_PER_INDEX_OBJECT) await this.publishIndex()
    return hex
  }

  /**
   * The chunks of a batch (named elsewhere, by a file worker) that the repository does not have
   * yet: returns their indexes and counts them as claimed, so that the same chunk in another
   * file in flight is not sealed twice. The claimed chunks must then arrive by absorbSealed.
   */
  async claim (ids: Uint8Array, lengths: readonly number[]): Promise<number[]> {
    this.throwIfJobFailed()
    const list = lengths.map((_, i) => ids.subarray(i * ID_LENGTH, (i + 1) * ID_LENGTH))
    return await this.pickNew(list, list.map(toHex), lengths)
  }

  /**
   * The indexes of the blobs (ids, hex, plaintext lengths) that must be sealed, each counted and
   * remembered as claimed: one lookup in the index, judged as soon as it answers (while it is
   * open, ids indexed meanwhile count: see RecentlyIndexed). A blob twice in the list is picked once.
   */
  private async pickNew (ids: readonly Uint8Array[], hex: readonly string[], lengths: readonly number[]): Promise<number[]> {
    const since = this.recentlyIndexed.opened()
    try {
      const known = await this.repo.liveLocations(ids)
      const picked: number[] = []
      for (let i = 0; i < ids.length; i++) {
        const id = hex[i] as string
        if (!this.isNew(known[i], id)) continue
        this.remember(id)
        this.newChunks++
        this.newBytes += lengths[i] as number
        picked.push(i)
      }
      return picked
    } finally {
      this.recentlyIndexed.close(since)
    }
  }

  /**
   * Whether a blob the index did not know when asked (`known`) must be sealed: not when a pack in
   * flight has it, nor when its pack was indexed after the lookup read (see RecentlyIndexed).
   */
  private isNew (known: BlobLocationEntry | undefined, id: string): boolean {
    return known === undefined && !this.unindexed.has(id) && !this.recentlyIndexed.has(id)
  }

  /**
   * Prune's repack: copies a still-used blob, as sealed, into a new pack although the index
   * knows it (its old pack is about to be deleted); the new location replaces the old once
   * stored. The caller has opened and verified the sealed bytes: they are the same key's seal,
   * bound to the same type and id, so copying them verbatim (as restic does) is as good as
   * sealing again, without compressing and encrypting every kept byte once more.
   */
  async rewriteSealed (type: BlobType, id: Uint8Array, sealed: Uint8Array, rawLength: number): Promise<void> {
    const hex = toHex(id)
    if (this.unindexed.has(hex)) return
    this.unindexed.add(hex)
    const packer = type === BlobType.data ? this.dataPacker : this.treePacker
    while (this.mustWaitForRoom(packer)) await this.packTaken()
    packer.addSealed(type, id, sealed, rawLength)
    if (packer.full) await this.submit(packer.finish())
    if (this.packsSincePublish >= PACKS_PER_INDEX_OBJECT) await this.publishIndex()
  }

  /**
   * Packs data blobs sealed by a file worker: the ones `claim` picked, in order (`ids`,
   * `rawLengths`). `chosen`: `sealed` holds every chunk of a whole file, and only the blobs at
   * these indexes (ascending: what claim picked) are kept; without it, all of `sealed` is.
   */
  async absorbSealed (ids: readonly Uint8Array[], rawLengths: readonly number[], sealed: Uint8Array, sealedLengths: readonly number[], chosen?: readonly number[]): Promise<void> {
    let offset = 0
    let taken = 0
    for (let i = 0; i < sealedLengths.length && taken < ids.length; i++) {
      const n = sealedLengths[i] as number
      if (chosen === undefined || chosen[taken] === i) {
        while (this.mustWaitForRoom(this.dataPacker)) await this.packTaken()
        this.dataPacker.addSealed(BlobType.data, ids[taken] as Uint8Array, sealed.subarray(offset, offset + n), rawLengths[taken] as number)
        taken++
        if (this.dataPacker.full) await this.submit(this.dataPacker.finish())
      }
      offset += n
    }
    if (taken !== ids.length) throw new Error(`a file worker sealed ${taken} of the ${ids.length} chunks it was to seal`)
    if (this.packsSincePublish >= PACKS_PER_INDEX_OBJECT) await this.publishIndex()
  }

  /**
   * Saves a serialized tree, cut into pieces by the repository's chunker when large. `parent`:
   * the blob ids of this folder's tree in the parent snapshot. A folder whose tree comes out the
   * same (nothing in it changed) reuses them without asking the index, as an unchanged file
   * reuses its chunks: the parent snapshot holds them.
   */
  async saveTree (bytes: Uint8Array, parent?: readonly string[]): Promise<string[]> {
    const pieces: Uint8Array[] = []
    if (bytes.byteLength <= this.repo.record.chunker.minSize) {
      pieces.push(bytes)
    } else {
      let offset = 0
      for (const length of chunkLengths(bytes, this.repo.chunkerOptions())) {
        pieces.push(bytes.subarray(offset, offset + length))
        offset += length
      }
    }
    const key = this.repo.keys.chunkIdKey
    const ids = pieces.map((p) => keyedHash(key, p))
    if (parent !== undefined && parent.length === ids.length && ids.every((id, i) => toHex(id) === parent[i])) return [...parent]
    return this.saveNamed(BlobType.tree, pieces, ids)
  }

  private async dispatchGathered (pool: SealPool, type: BlobType): Promise<void> {
    const gathered = this.gathering.get(type)
    if (gathered === undefined || gathered.ids.length === 0) return
    this.gathering.delete(type)
    await this.startSealJob(pool, type, gathered.ids, gathered.plains)
  }

  /** Hands blobs to a seal worker; their sealed bytes join the packer when the worker is done. */
  private async startSealJob (pool: SealPool, type: BlobType, ids: Uint8Array[], plains: Uint8Array[]): Promise<void> {
    this.throwIfJobFailed()
    const lengths = plains.map((p) => p.byteLength)
    const job = pool.run(makeSealJob(type, this.repo.keys.dataKey, ids, plains))
      .then(async (result) => {
        const packer = type === BlobType.data ? this.dataPacker : this.treePacker
        const sealed = new Uint8Array(result.sealed)
        let offset = 0
        for (let i = 0; i < result.lengths.length; i++) {
          const n = result.lengths[i] as number
          while (this.mustWaitForRoom(packer)) await this.packTaken()
          packer.addSealed(type, ids[i] as Uint8Array, sealed.subarray(offset, offset + n), lengths[i] as number)
          offset += n
          if (packer.full) await this.submit(packer.finish())
        }
      })
      .catch((err: unknown) => { this.jobFailure ??= err })
    this.jobs.add(job)
    void job.finally(() => this.jobs.delete(job))
    while (this.jobs.size >= pool.size * SEAL_JOBS_PER_WORKER) await Promise.race(this.jobs)
    this.throwIfJobFailed()
  }

  /**
   * A new blob is on its way into a pack: the same id again is not new. A dry run forgets the
   * oldest beyond DRY_RUN_REMEMBERED_BLOBS, kept in a ring (deleting a Set's first entry again
   * and again walks past the deleted ones each time).
   */
  private remember (id: string): void {
    this.unindexed.add(id)
    if (this.dryRunRing === undefined) return
    const oldest = this.dryRunRing[this.dryRunNext]
    if (oldest !== undefined) this.unindexed.delete(oldest)
    this.dryRunRing[this.dryRunNext] = id
    this.dryRunNext = (this.dryRunNext + 1) % DRY_RUN_REMEMBERED_BLOBS
  }

  private throwIfJobFailed (): void {
    if (this.jobFailure !== undefined) throw this.jobFailure
  }

  /**
   * Whether `packer` must wait before it starts a new pack: it is empty and a finished pack waits
   * for the uploader. A new pack buffer could only fill and wait too: without this, every caller
   * adding blobs at the same time (files in flight, seal jobs) could fill one more buffer each
   * while the store was busy. Measured at a first backup's peak: five pack buffers alive with one
   * in flight. Callers test it again after each wait, in the same turn as their add, so no other
   * caller can finish a pack in between (`while (mustWaitForRoom(p)) await packTaken()`).
   */
  private mustWaitForRoom (packer: Packer): boolean {
    return packer.size === 0 && this.waitingPacks.size > 0
  }

  /** Resolves once the uploader took one of the waiting packs. */
  private async packTaken (): Promise<void> {
    await Promise.race(this.waitingPacks)
  }

  private async submit (pack: FinishedPack | undefined): Promise<void> {
    if (pack === undefined) return
    const accepted = this.uploader.submit(pack)
    const settled = accepted.then(() => {}, () => {})
    this.waitingPacks.add(settled)
    try {
      await accepted
    } finally {
      this.waitingPacks.delete(settled)
    }
  }

  /** Stores every open pack and publishes the index of everything stored. */
  async finish (): Promise<void> {
    const pool = this.options.sealPool
    if (pool !== undefined) for (const type of [...this.gathering.keys()]) await this.dispatchGathered(pool, type)
    while (this.jobs.size > 0) await Promise.all(this.jobs)
    this.throwIfJobFailed()
    await this.submit(this.dataPacker.finish())
    await this.submit(this.treePacker.finish())
    await this.uploader.flush()
    await this.publishIndex()
  }

  /**
   * Writes index objects for every pack stored here that no index object lists yet (this
   * backup's, and any an interrupted earlier backup left), each in a pack of its own, and
   * records pack and index in one catalog append. One publish runs at a time, each after the
   * one before: the callers adding blobs at once (files in flight, seal jobs) reach
   * PACKS_PER_INDEX_OBJECT together, and each used to write the same index object (same id, so
   * one catalog row) into a pack of its own, which nothing listed and no prune ever deleted
   * (measured: four copies of each index object of a backup of 60 files in 256 KiB packs). The
   * count is reset before any await, so those callers find nothing due. The turns are the
   * index's, shared by every saver of it: another backup of the repository at once would
   * otherwise list the same packs again.
   */
  async publishIndex (): Promise<void> {
    this.packsSincePublish = 0
    // The packs submitted so far get into this index object; later ones into the next. Waited
    // for before the turn: another backup's publish does not wait on this one's uploads.
    await this.uploader.settled()
    await this.repo.index.publishTurns.run(async () => { await this.publishPending() }, this.options.signal)
  }

  private async publishPending (): Promise<void> {
    // A dry run stored no pack, and must not publish what an interrupted backup left either.
    if (this.options.dryRun === true) return
    let group: EncodedPackEntries[] = []
    const flushGroup = async (): Promise<void> => {
      if (group.length === 0) return
      const packs = group
      group = []
      await this.writeIndexObject(packs)
    }
    let entries = 0
    for await (const { pack, list, count } of this.repo.index.unpublishedPacks()) {
      group.push({ pack, list })
      entries += count
      if (group.length >= PACKS_PER_INDEX_OBJECT || entries >= ENTRIES_PER_INDEX_OBJECT) {
        entries = 0
        await flushGroup()
      }
    }
    await flushGroup()
  }

  private async writeIndexObject (packs: readonly EncodedPackEntries[]): Promise<void> {
    const stored = await storeIndexObject(this.repo, draftIndexObject(this.repo, packs), this.options)
    await this.repo.index.markPublished(stored.index, packs.map((p) => p.pack))
    this.indexPacks++
    this.indexPackedBytes += stored.packedBytes
    this.indexStoredBytes += stored.storedBytes
  }
}
