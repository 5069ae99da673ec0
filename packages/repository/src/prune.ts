import { collectDroppedBytes, fromHex } from '@resilien/types'
import type { AbortOptions, PruneResult } from '@resilien/types'
import { BlobSaver } from './blob-saver.js'
import { BlobType } from './format.js'
import { decodeIndexObject } from './index-object.js'
import type { PackEntry } from './pack-format.js'
import { IndexPlan, rewriteIndex } from './prune-index.js'
import type { IndexObjectListing } from './prune-index.js'
import { MarkSet, MarkTag, markReachable } from './prune-marks.js'
import type { Repository } from './repository.js'

/** A pack is repacked when more than this share of its bytes is no longer used (restic's default is 5 %; fewer rewrites here, the fibre is small). */
export const DEFAULT_REPACK_THRESHOLD = 0.2
/** Packs whose `pack-deleted` facts go into one catalog call. */
const DELETE_BATCH = 256
/** Packs repacked before their new copies are made durable and the old ones deleted: bounds what is held between the two. */
const REPACK_BATCH = 16
/**
 * New packs being stored while the next fills. A backup keeps three in flight for speed; prune
 * is not in a hurry, and each pack in flight holds a pack buffer and its parity (~7 MiB).
 */
const REPACK_PACKS_IN_FLIGHT = 1

/** A pack to repack and its blobs still in use. */
interface RepackEntry {
  pack: string
  used: PackEntry[]
}

/**
 * Copies the used blobs of one pack into new packs: its data shards are fetched once (rebuilt
 * from parity if one fails), then every used blob is opened and verified, so a corrupt blob is
 * never copied. What it allocated (the shards, and the frame and plaintext opened to verify each
 * blob) is out of reach when it returns.
 */
async function repackOne (repo: Repository, saver: BlobSaver, { pack, used }: RepackEntry, options: AbortOptions): Promise<void> {
  if (used.length === 0) return
  const refs = used.map((e) => ({ id: e.id, type: e.type, pack, offset: e.offset, length: e.length }))
  await repo.reader.withPackBlobs(pack, refs, options, async (sealed) => {
    for (let i = 0; i < refs.length; i++) {
      const ref = refs[i] as (typeof refs)[number]
      const blob = sealed[i] as Uint8Array
      const plain = repo.reader.openSealed(ref, blob)
      // The packer copies the blob: nothing keeps a view of the shards once this returns.
      await saver.rewriteSealed(ref.type, ref.id, blob, plain.byteLength)
    }
  })
}

/**
 * The blobs of `used` that this prune has not planned to copy yet, now marked as planned. Two
 * packs can hold the same blob (two key holders, or two backups at once, stored it): when both
 * are repacked it is copied once. The saver's own memory of what it packed cannot tell: it ends
 * once the new pack is indexed, and the sweep's batches are far apart.
 */
async function notCopiedYet (marks: MarkSet, used: PackEntry[]): Promise<PackEntry[]> {
  const planned = await marks.hasTaggedMany(MarkTag.repacked, used.map((e) => e.id))
  const toCopy = used.filter((_, i) => planned[i] !== true)
  for (const e of toCopy) await marks.addTagged(MarkTag.repacked, e.id)
  return toCopy
}

export interface PruneOptions extends AbortOptions {
  /** Work folder for the on-disk mark set (the node's cache folder of the repository). */
  workDir: string
  repackThreshold?: number
  /** Say what would be removed, change nothing. */
  dryRun?: boolean
  allowDegraded?: boolean
  /**
   * First publish the packs this machine stored for backups that then failed or were cut off
   * (stored and in the catalog, but in no index object, so the sweep would never see them).
   * Only for a caller that knows no backup of this repository runs on this machine meanwhile,
   * whose packs would look just the same: the node's prune, which holds the repository alone.
   */
  publishLeftovers?: boolean
  /** `packs`: packs swept, or in the index phase index objects read. */
  onProgress?: (p: { phase: 'mark' | 'sweep' | 'index', packs: number }) => void
}


/**
 * Removes what no kept snapshot references. Runs where the repository key is, because only the
 * key holder can read trees.
 * 1. Mark: every blob the snapshots reach goes into an on-disk set (prune-marks.ts).
 * 2. Sweep, one index object at a time: a blob of a pack counts as used when it is marked, in
 *    every pack that holds a copy (another key holder's index may know only that copy). Index
 *    objects live in packs of their own, which no index object lists: step 4 judges them.
 * 3. A pack with nothing used gets a `pack-deleted` fact. A pack with more than
 *    `repackThreshold` of its bytes unused has its used blobs written again into new packs
 *    (made durable, indexed and published first), then gets its `pack-deleted` fact.
 * 4. The index is rewritten (prune-index.ts): index objects that list deleted packs, and small
 *    ones, are replaced by new index objects of their live listings, committed before the old
 *    ones' packs get `pack-deleted`.
 * Storage sites delete the shards of deleted packs with their shard GC, after its grace period.
 * The result's `packs`, `packsDeleted` and `packedBytesFreed` count the index objects' packs too,
 * as `stats` counts every live pack.
 * Memory: the mark set is on disk; one index object and up to REPACK_BATCH packs' worth of
 * blob references at a time; in step 4, one old index object and one new one's listings.
 */
export async function prune (repo: Repository, options: PruneOptions): Promise<PruneResult> {
  const { catalog } = repo.components
  const threshold = options.repackThreshold ?? DEFAULT_REPACK_THRESHOLD
  const dryRun = options.dryRun === true
  const snapshots = await repo.listSnapshots()
  const result: PruneResult = { snapshots: snapshots.length, referencedBlobs: 0, packs: 0, packsDeleted: 0, packsRepacked: 0, packedBytesFreed: 0, bytesRepacked: 0, dryRun, indexObjects: 0, indexObjectsRewritten: 0, indexObjectsWritten: 0 }
  const marks = await MarkSet.create(options.workDir)
  const plan = new IndexPlan(marks)
  const toDelete: Array<{ pack: string, ids: Uint8Array[] }> = []
  let repackQueue: RepackEntry[] = []
  let saver: BlobSaver | undefined

  const flushDeletes = async (): Promise<void> => {
    if (toDelete.length === 0) return
    const batch = toDelete.splice(0)
    if (dryRun) return
    await catalog.append(batch.map(({ pack }) => ({ type: 'pack-deleted' as const, repo: repo.id, pack })))
    repo.notePacksDeleted(batch.map(({ pack }) => pack))
    // The local index forgets blobs it placed in those packs (repacked blobs were re-indexed already).
    for (const { pack, ids } of batch) await repo.index.forgetPack(pack, ids)
  }
  const newSaver = (): BlobSaver => new BlobSaver(repo, { maxPacksInFlight: REPACK_PACKS_IN_FLIGHT, ...(options.signal === undefined ? {} : { signal: options.signal }), ...(options.allowDegraded === undefined ? {} : { allowDegraded: options.allowDegraded }) })
  const flushRepacks = async (): Promise<void> => {
    if (repackQueue.length === 0) return
    const queue = repackQueue
    repackQueue = []
    if (!dryRun) {
      saver ??= newSaver()
      for (const entry of queue) {
        await repackOne(repo, saver, entry, options)
        // A pack's shards and opened blobs (about twice its size) are collected as soon as they
        // are out of reach. A collection run while they were still referenced, as the running
        // count of dropped bytes did, moved them to the old generation, where only V8's next
        // full collection frees them.
        collectDroppedBytes()
      }
      // The new copies are durable, indexed and published before the old packs go.
      await saver.finish()
      await saver.publishIndex()
    }
    for (const { pack } of queue) toDelete.push({ pack, ids: [] })
    await flushDeletes()
  }

  try {
    if (options.publishLeftovers === true && !dryRun) {
      // Published, a failed backup's packs are judged like any other: nothing references them.
      saver = newSaver()
      await saver.publishIndex()
    }
    // Every index object, also those other key holders wrote since this repository was opened.
    await repo.syncIndex(options)
    options.onProgress?.({ phase: 'mark', packs: 0 })
    await markReachable(repo, snapshots.map((s) => s.record.tree), marks, options)
    // The tree shards the walk cached are not read again by the sweep.
    repo.reader.dropCachedData()
    result.referencedBlobs = marks.marked
    for await (const obj of catalog.indexObjects(repo.id)) {
      options.signal?.throwIfAborted()
      // An index object an earlier prune replaced: its pack is gone, its live listings are in newer
      // ones. Its id stays taken: the catalog keeps its row, the first `index-added` of that id.
      if (await catalog.isPackDeleted(repo.id, obj.location.pack)) {
        await marks.addTagged(MarkTag.retiredIndex, fromHex(obj.index))
        continue
      }
      const plain = await repo.reader.read({ id: fromHex(obj.index), type: BlobType.index, ...obj.location }, options)
      // The index object's own pack, which no index object lists.
      result.packs++
      const listing: IndexObjectListing = { packs: 0, entries: 0, obsolete: 0 }
      for (const { pack, entries } of decodeIndexObject(plain).packs) {
        if (await marks.wasSeenPack(pack) || await catalog.isPackDeleted(repo.id, pack)) {
          listing.obsolete++
          continue
        }
        await marks.addSeenPack(pack)
        result.packs++
        const marked = await marks.hasMany(entries.map((e) => e.id))
        const used: PackEntry[] = []
        let usedBytes = 0
        let totalBytes = 0
        entries.forEach((e, i) => {
          totalBytes += e.length
          // Every marked copy counts, duplicates too: another key holder's index may know only that one.
          const inUse = e.type === BlobType.index || marked[i] === true
          if (!inUse) return
          used.push(e)
          usedBytes += e.length
        })
        if (used.length === 0) {
          toDelete.push({ pack, ids: entries.map((e) => e.id) })
          result.packsDeleted++
          result.packedBytesFreed += totalBytes
          listing.obsolete++
          if (toDelete.length >= DELETE_BATCH) await flushDeletes()
        } else if (totalBytes > 0 && (totalBytes - usedBytes) / totalBytes > threshold && used.every((e) => e.type !== BlobType.index)) {
          const toCopy = await notCopiedYet(marks, used)
          const copiedBytes = toCopy.reduce((sum, e) => sum + e.length, 0)
          repackQueue.push({ pack, used: toCopy })
          result.packsRepacked++
          result.packedBytesFreed += totalBytes - copiedBytes
          result.bytesRepacked += copiedBytes
          listing.obsolete++
          if (repackQueue.length >= REPACK_BATCH) await flushRepacks()
        } else {
          await plan.own(pack, obj.index)
          listing.packs++
          listing.entries += entries.length
        }
        options.onProgress?.({ phase: 'sweep', packs: result.packs })
      }
      await plan.judge(obj, listing)
    }
    await flushRepacks()
    await flushDeletes()
    // The data and tree packs are settled: the index objects that listed the deleted ones go.
    const index = await rewriteIndex(repo, marks, plan, {
      dryRun,
      ...(options.signal === undefined ? {} : { signal: options.signal }),
      ...(options.allowDegraded === undefined ? {} : { allowDegraded: options.allowDegraded }),
      onProgress: (objects) => options.onProgress?.({ phase: 'index', packs: objects })
    })
    result.indexObjects = plan.objects
    result.indexObjectsRewritten = index.replaced
    result.indexObjectsWritten = index.written
    result.packsDeleted += index.replaced
    result.packedBytesFreed += index.bytesFreed
    return result
  } finally {
    repo.reader.dropCachedData()
    await marks.destroy()
  }
}

