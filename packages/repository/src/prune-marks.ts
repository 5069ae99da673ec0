import { randomBytes } from 'node:crypto'
import { rm } from 'node:fs/promises'
import { join } from 'node:path'
import { ClassicLevel } from 'classic-level'
import { hash } from '@resilien/hashing'
import { fromHex } from '@resilien/types'
import type { AbortOptions } from '@resilien/types'
import type { Repository } from './repository.js'

/** Ids written to the mark set per LevelDB batch. */
const MARK_BATCH = 8192
/** LevelDB memory of the temporary mark set: it is written once and read in order, caches help little. */
const MARK_DB_MEMORY = { cacheSize: 2 * 1024 * 1024, writeBufferSize: 2 * 1024 * 1024 }

/**
 * The set of blob ids that live snapshots reference, on disk (a temporary LevelDB next to the
 * chunk index), so marking a repository four times larger takes about the same memory. Prune
 * marks with it; check keeps the trees it walked and the packs it saw in it.
 */
export class MarkSet {
  /**
   * Ids added and not yet written, by their bytes as a string: asked before the database, so a
   * question does not force a write (the walk asks about every tree it meets).
   */
  private pending = new Map<string, Uint8Array>()
  /** The last batch while it is being written: still answered from memory. */
  private writing = new Map<string, Uint8Array>()
  marked = 0

  private constructor (private readonly db: ClassicLevel<Uint8Array, Uint8Array>, readonly path: string) {}

  static async create (dir: string): Promise<MarkSet> {
    const path = join(dir, `marks-${randomBytes(6).toString('hex')}`)
    const db = new ClassicLevel<Uint8Array, Uint8Array>(path, { keyEncoding: 'view', valueEncoding: 'view', ...MARK_DB_MEMORY })
    await db.open()
    return new MarkSet(db, path)
  }

  async add (ids: readonly Uint8Array[]): Promise<void> {
    for (const id of ids) this.pending.set(memoryKey(id), id)
    this.marked += ids.length
    if (this.pending.size >= MARK_BATCH) await this.flush()
  }

  async flush (): Promise<void> {
    if (this.pending.size === 0) return
    const batch = this.db.batch()
    for (const id of this.pending.values()) batch.put(id, EMPTY)
    this.writing = this.pending
    this.pending = new Map()
    try {
      await batch.write()
    } finally {
      this.writing = new Map()
    }
  }

  /** Whether each id is marked (those not yet written included). */
  async hasMany (ids: readonly Uint8Array[]): Promise<boolean[]> {
    const answers = ids.map((id) => this.pending.has(memoryKey(id)) || this.writing.has(memoryKey(id)))
    const asked = answers.flatMap((known, i) => known ? [] : [i])
    if (asked.length === 0) return answers
    const values = await this.db.getMany(asked.map((i) => ids[i] as Uint8Array))
    asked.forEach((i, j) => { answers[i] = values[j] !== undefined })
    return answers
  }

  /** Records that the tree made of blobs `treeIds` was walked with all below it (a key apart from blob ids). */
  async addWalked (treeIds: readonly string[]): Promise<void> {
    await this.add([walkedKey(treeIds)])
    this.marked--
  }

  /** Packs already swept (a pack may be listed by more than one index object). */
  async addSeenPack (pack: string): Promise<void> {
    await this.addTagged(MarkTag.seenPack, fromHex(pack))
  }

  async wasSeenPack (pack: string): Promise<boolean> {
    return await this.hasTagged(MarkTag.seenPack, fromHex(pack))
  }

  /** Records a 32-byte id of another kind than a blob id (MarkTag); not counted in `marked`. */
  async addTagged (tag: MarkTag, id: Uint8Array): Promise<void> {
    await this.add([taggedKey(tag, id)])
    this.marked--
  }

  async hasTagged (tag: MarkTag, id: Uint8Array): Promise<boolean> {
    return (await this.hasTaggedMany(tag, [id]))[0] === true
  }

  async hasTaggedMany (tag: MarkTag, ids: readonly Uint8Array[]): Promise<boolean[]> {
    return await this.hasMany(ids.map((id) => taggedKey(tag, id)))
  }

  async wasWalked (treeIds: readonly string[]): Promise<boolean> {
    return (await this.hasMany([walkedKey(treeIds)]))[0] === true
  }

  /** Closes and removes the set. */
  async destroy (): Promise<void> {
    await this.db.close().catch(() => {})
    await rm(this.path, { recursive: true, force: true })
  }
}

const EMPTY = new Uint8Array(0)

function memoryKey (id: Uint8Array): string {
  return Buffer.from(id.buffer, id.byteOffset, id.byteLength).toString('latin1')
}
/**
 * Kinds of keys besides blob ids: a tag byte before a 32-byte id. Blob ids are 32 bytes, tagged
 * keys 33, so the kinds never meet.
 */
export const MarkTag = Object.freeze({
  /** A tree walked with everything below it. */
  walked: 0x01,
  /** A pack already swept. */
  seenPack: 0x02,
  /** (pack, index object): the first listing of a live pack, by this index object (prune-index.ts). */
  owner: 0x03,
  /** An index object that was live when the sweep began. */
  indexObject: 0x04,
  /** An index object the sweep found obsolete listings in. */
  obsolete: 0x05,
  /** A small index object, combined with others when the index is rewritten. */
  small: 0x06,
  /** An index object whose content a rewrite produced again: it stays. */
  keep: 0x07,
  /** An index object an earlier prune replaced (its pack is deleted): its id must not be written again. */
  retiredIndex: 0x09,
  /** A blob this prune already copied into a new pack: a copy of it in another repacked pack is not copied again. */
  repacked: 0x0a
})
export type MarkTag = typeof MarkTag[keyof typeof MarkTag]

function taggedKey (tag: number, id: Uint8Array): Uint8Array {
  const key = new Uint8Array(id.byteLength + 1)
  key[0] = tag
  key.set(id, 1)
  return key
}

/**
 * A tree is named by all its blobs, not its first: a large folder's tree is cut into several
 * blobs, and two versions of it often share the first (only a later entry changed).
 */
function walkedKey (treeIds: readonly string[]): Uint8Array {
  return taggedKey(MarkTag.walked, treeIds.length === 1 ? fromHex(treeIds[0] as string) : hash(Buffer.from(treeIds.join(''), 'hex')))
}

/**
 * Marks every blob the given snapshots reach: tree blobs and file chunks. A subtree whose tree
 * (its list of blobs) was walked already from another snapshot is skipped (trees are
 * content-addressed, so the same blobs mean the same content), which makes marking many similar
 * snapshots cost about one walk. Depth-first, one tree per level in memory.
 */
export async function markReachable (repo: Repository, roots: ReadonlyArray<readonly string[]>, marks: MarkSet, options: AbortOptions = {}): Promise<void> {
  const walk = async (treeIds: readonly string[]): Promise<void> => {
    options.signal?.throwIfAborted()
    if (treeIds.length === 0 || await marks.wasWalked(treeIds)) return
    const tree = await repo.loadTree(treeIds, options)
    for (const node of tree.nodes) {
      if (node.content !== undefined && node.content.length > 0) await marks.add(node.content.map(fromHex))
      if (node.subtree !== undefined) await walk(node.subtree)
    }
    await marks.add(treeIds.map(fromHex))
    // Recorded after its children: an interrupted walk never leaves a subtree recorded but unwalked.
    await marks.addWalked(treeIds)
  }
  for (const root of roots) await walk(root)
  await marks.flush()
}
