import { randomBytes } from 'node:crypto'
import { hash } from '@resilien/hashing'
import { fromHex } from '@resilien/types'
import type { AbortOptions } from '@resilien/types'
import type { CatalogIndexObject } from '@resilien/catalog'
import { ENTRIES_PER_INDEX_OBJECT, PACKS_PER_INDEX_OBJECT } from './blob-saver.js'
import { BlobType } from './format.js'
import { decodeIndexObjectLists, INDEX_SALT_BYTES } from './index-object.js'
import type { EncodedPackEntries } from './index-object.js'
import { draftIndexObject, storeIndexObject } from './index-writer.js'
import { entryCount } from './pack-format.js'
import { MarkTag } from './prune-marks.js'
import type { MarkSet } from './prune-marks.js'
import type { Repository } from './repository.js'

/**
 * Small index objects (less than half of what publishIndex puts in one) are combined when there
 * are this many, even if no index object lists a deleted pack: every backup ends with one, and a
 * fresh machine reads each of them.
 */
export const COMBINE_SMALL_INDEX_OBJECTS = 8
/** Packs of replaced index objects whose `pack-deleted` facts go into one catalog call. */
const DELETE_BATCH = 256

/** What the sweep found in one index object: its live packs and their entries, and listings that are obsolete. */
export interface IndexObjectListing {
  packs: number
  entries: number
  /** Listings of packs deleted (earlier or by this prune), repacked, or listed by an earlier index object. */
  obsolete: number
}

export interface IndexRewriteResult {
  /** Old index objects replaced (their packs deleted). */
  replaced: number
  /** New index objects written with the live listings of those replaced. */
  written: number
  /** Sealed bytes of the replaced index objects. */
  bytesFreed: number
}

export interface IndexRewriteOptions extends AbortOptions {
  dryRun: boolean
  allowDegraded?: boolean
  onProgress?: (objects: number) => void
}

/** The key naming the listing of `pack` by index object `index`. */
function ownerKey (pack: string, index: string): Uint8Array {
  return hash(Buffer.from(pack + index, 'hex'))
}

/**
 * Which index objects the rewrite replaces, as the sweep finds them (kept in the prune's on-disk
 * mark set: nothing here grows with the repository). Policy, as restic's:
 * - an index object with an obsolete listing (a pack deleted, now or by an earlier prune, or
 *   repacked; or a pack an earlier index object lists too) is replaced by new index objects
 *   holding only its live listings: cheap (an index object is under 1 MiB, against
 *   the MiBs of a data pack), and it leaves no listing of a deleted pack behind, so a repository
 *   under a steady retention policy keeps as many index objects as its live packs need;
 * - small index objects are combined with them, or among themselves once there are
 *   COMBINE_SMALL_INDEX_OBJECTS of them.
 * Each live pack is put back once, by the index object that listed it first in the sweep.
 */
export class IndexPlan {
  /** Index objects swept. */
  objects = 0
  private obsolete = 0
  private small = 0

  constructor (private readonly marks: MarkSet) {}

  /** `pack` is live and kept, and `index` is the first index object found listing it. */
  async own (pack: string, index: string): Promise<void> {
    await this.marks.addTagged(MarkTag.owner, ownerKey(pack, index))
  }

  /** Records what the sweep found in an index object, once all its packs are judged. */
  async judge (obj: CatalogIndexObject, listing: IndexObjectListing): Promise<void> {
    this.objects++
    const id = fromHex(obj.index)
    await this.marks.addTagged(MarkTag.indexObject, id)
    if (listing.obsolete > 0) {
      this.obsolete++
      await this.marks.addTagged(MarkTag.obsolete, id)
    } else if (listing.packs < PACKS_PER_INDEX_OBJECT / 2 && listing.entries < ENTRIES_PER_INDEX_OBJECT / 2) {
      this.small++
      await this.marks.addTagged(MarkTag.small, id)
    }
  }

  private get combineSmall (): boolean {
    return (this.obsolete > 0 && this.small > 0) || this.small >= COMBINE_SMALL_INDEX_OBJECTS
  }

  /** Whether any index object is to be replaced. */
  get due (): boolean {
    return this.obsolete > 0 || this.combineSmall
  }

  async replaces (index: string): Promise<boolean> {
    const id = fromHex(index)
    if (await this.marks.hasTagged(MarkTag.obsolete, id)) return true
    return this.combineSmall && await this.marks.hasTagged(MarkTag.small, id)
  }

  /** Whether `index` is the index object that puts each of `packs` back (one lookup for all). */
  async owns (index: string, packs: readonly string[]): Promise<boolean[]> {
    return await this.marks.hasTaggedMany(MarkTag.owner, packs.map((pack) => ownerKey(pack, index)))
  }
}

/**
 * Rewrites the index after the sweep (data packs deleted and repacked already), in two passes
 * over the catalog's index objects:
 * 1. the live listings of the index objects replaced are streamed into new index objects of
 *    publishIndex's size, each stored and committed (`pack-stored` + `index-added`) before the
 *    next is filled: one index object's plaintext and one new object's listings in memory;
 * 2. only then do the packs of the replaced index objects get `pack-deleted`.
 * A crash anywhere leaves every live pack listed by a live index object: before 2 the old and the
 * new both list it (a duplicate listing, which the next prune's sweep finds obsolete and
 * removes), during 2 the new ones are all committed. Readers skip an index object whose pack is
 * deleted (syncIndex, the sweep), so a replaced one is never read again, on any machine; the
 * entries other machines loaded from it stay valid, as the new objects list the same entries.
 */
export async function rewriteIndex (repo: Repository, marks: MarkSet, plan: IndexPlan, options: IndexRewriteOptions): Promise<IndexRewriteResult> {
  const { catalog } = repo.components
  const result: IndexRewriteResult = { replaced: 0, written: 0, bytesFreed: 0 }
  if (!plan.due) return result
  let read = 0

  let batch: EncodedPackEntries[] = []
  let entries = 0
  const flush = async (): Promise<void> => {
    if (batch.length === 0) return
    let draft = draftIndexObject(repo, batch)
    if (await marks.hasTagged(MarkTag.retiredIndex, draft.id)) {
      // The same listings as an index object an earlier prune replaced (say series A's, combined
      // with B's and now alone again since B was forgotten): written with that id, its
      // `index-added` would lose to the old row, whose pack is deleted, and no other machine
      // would ever read these listings. A salt gives it an id of its own.
      draft = draftIndexObject(repo, batch, randomBytes(INDEX_SALT_BYTES))
    }
    batch = []
    entries = 0
    if (await marks.hasTagged(MarkTag.indexObject, draft.id)) {
      // An index object being replaced listed exactly these packs (same plaintext, same id): it
      // stays. Written again, its `index-added` would lose to the old one's, whose pack goes.
      await marks.addTagged(MarkTag.keep, draft.id)
      return
    }
    result.written++
    if (options.dryRun) return
    const stored = await storeIndexObject(repo, draft, options)
    // Its entries are in the local index already (loaded from the objects it replaces), and its
    // packs were published before: only not to be read again by the next sync.
    await repo.index.markPublished(stored.index, [])
  }
  for await (const obj of catalog.indexObjects(repo.id)) {
    options.signal?.throwIfAborted()
    // Index objects committed since the sweep (this one's own, a backup's) have no marks: left alone.
    if (!await plan.replaces(obj.index)) continue
    const plain = await repo.reader.read({ id: fromHex(obj.index), type: BlobType.index, ...obj.location }, options)
    const lists = decodeIndexObjectLists(plain)
    const owned = await plan.owns(obj.index, lists.map((l) => l.pack))
    // A pack has one owner (the first index object the sweep found it in), so only the same
    // pack twice in this one index object can come again: once is enough.
    const taken = new Set<string>()
    for (const [i, { pack, list }] of lists.entries()) {
      if (owned[i] !== true || taken.has(pack)) continue
      taken.add(pack)
      // Copied, so the batch does not hold this index object's plaintext whole.
      batch.push({ pack, list: new Uint8Array(list) })
      entries += entryCount(list)
      if (batch.length >= PACKS_PER_INDEX_OBJECT || entries >= ENTRIES_PER_INDEX_OBJECT) await flush()
    }
    options.onProgress?.(++read)
  }
  await flush()

  let deletions: string[] = []
  const flushDeletes = async (): Promise<void> => {
    if (deletions.length === 0) return
    const packs = deletions
    deletions = []
    if (options.dryRun) return
    await catalog.append(packs.map((pack) => ({ type: 'pack-deleted' as const, repo: repo.id, pack })))
    repo.notePacksDeleted(packs)
  }
  for await (const obj of catalog.indexObjects(repo.id)) {
    options.signal?.throwIfAborted()
    if (!await plan.replaces(obj.index) || await marks.hasTagged(MarkTag.keep, fromHex(obj.index))) continue
    // Index objects are stored alone in their packs; one in a pack an index object lists is the sweep's to judge.
    if (await marks.wasSeenPack(obj.location.pack)) continue
    result.replaced++
    result.bytesFreed += obj.location.length
    deletions.push(obj.location.pack)
    if (deletions.length >= DELETE_BATCH) await flushDeletes()
  }
  await flushDeletes()
  return result
}
