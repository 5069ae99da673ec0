import { ClassicLevel } from 'classic-level'
import { Limiter, fromHex, toHex } from '@resilien/types'
import { ID_LENGTH, isBlobType } from './format.js'
import type { BlobType } from './format.js'
import { encodeEntries, entryCount } from './pack-format.js'
import type { PackEntry } from './pack-format.js'

/**
 * LevelDB's block cache and write buffer, kept small: the node runs on 2 GB boards within a
 * 150 MiB budget, and these lookups are mostly of recent keys (defaults: 8 MiB and 4 MiB).
 */
const LEVELDB_MEMORY = { cacheSize: 2 * 1024 * 1024, writeBufferSize: 1024 * 1024 }

/** Where a blob lies: which pack, which byte range of it, and what it is. */
export interface BlobLocationEntry {
  pack: string
  offset: number
  length: number
  type: BlobType
  rawLength: number
}

const VALUE_BYTES = ID_LENGTH + 4 + 4 + 1 + 4

/** `packId`: the pack's id as bytes, converted once per pack rather than once per entry. */
function encodeValue (packId: Uint8Array, e: Omit<BlobLocationEntry, 'pack'>): Uint8Array {
  const out = Buffer.allocUnsafe(VALUE_BYTES)
  out.set(packId, 0)
  out.writeUInt32LE(e.offset, ID_LENGTH)
  out.writeUInt32LE(e.length, ID_LENGTH + 4)
  out[ID_LENGTH + 8] = e.type
  out.writeUInt32LE(e.rawLength, ID_LENGTH + 9)
  return out
}

function decodeValue (v: Uint8Array): BlobLocationEntry | undefined {
  if (v.byteLength !== VALUE_BYTES) return undefined
  const b = Buffer.from(v.buffer, v.byteOffset, v.byteLength)
  const type = b[ID_LENGTH + 8] as number
  if (!isBlobType(type)) return undefined
  return {
    pack: toHex(b.subarray(0, ID_LENGTH)),
    offset: b.readUInt32LE(ID_LENGTH),
    length: b.readUInt32LE(ID_LENGTH + 4),
    type,
    rawLength: b.readUInt32LE(ID_LENGTH + 9)
  }
}

/**
 * The local chunk index of one repository: chunk id -> location, in LevelDB on disk so memory
 * does not grow with the repository. It is a cache: the truth is in the encrypted index objects
 * the catalog points to, and the index is rebuilt from them on a fresh machine. Entries are
 * added only after the pack they point into is durably stored and recorded in the catalog.
 */
export class ChunkIndex {
  private readonly db: ClassicLevel<Uint8Array, Uint8Array>
  private readonly blobs
  private readonly loaded
  private readonly pending
  /**
   * Publishing the unpublished packs takes turns (BlobSaver.publishIndex): two savers of this
   * index (two backups at once) reading the set together would each list the same packs in an
   * index object of their own.
   */
  readonly publishTurns = new Limiter(1)

  private constructor (path: string) {
    this.db = new ClassicLevel<Uint8Array, Uint8Array>(path, { keyEncoding: 'view', valueEncoding: 'view', ...LEVELDB_MEMORY })
    this.blobs = this.db.sublevel<Uint8Array, Uint8Array>('b', { keyEncoding: 'view', valueEncoding: 'view' })
    this.loaded = this.db.sublevel<string, string>('i', { keyEncoding: 'utf8', valueEncoding: 'utf8' })
    this.pending = this.db.sublevel<string, Uint8Array>('p', { keyEncoding: 'utf8', valueEncoding: 'view' })
  }

  static async open (path: string): Promise<ChunkIndex> {
    const index = new ChunkIndex(path)
    await index.db.open()
    return index
  }

  async get (id: Uint8Array): Promise<BlobLocationEntry | undefined> {
    const v = await this.blobs.get(id)
    return v === undefined ? undefined : decodeValue(v)
  }

  /**
   * One id, looked up without leaving the thread: a tree read asks for one blob at a time, and
   * LevelDB answers from its memtable or block cache in microseconds, where a round trip through
   * libuv's pool costs two thread wake-ups (an unchanged backup reads a tree per folder).
   */
  getSync (id: Uint8Array): BlobLocationEntry | undefined {
    const v = this.blobs.getSync(id)
    return v === undefined ? undefined : decodeValue(v)
  }

  /** One LevelDB round trip for many ids: dedup looks up a window of chunks at once. */
  async getMany (ids: readonly Uint8Array[]): Promise<Array<BlobLocationEntry | undefined>> {
    if (ids.length === 0) return []
    const values = await this.blobs.getMany(ids as Uint8Array[])
    return values.map((v) => v === undefined ? undefined : decodeValue(v))
  }

  /**
   * Records the blobs of a pack this site just stored, and remembers the pack as not yet
   * published in an index object, in one durable batch. Until an index object covering it is in
   * the catalog, only this machine knows where those blobs are.
   */
  async addStoredPack (pack: string, entries: readonly PackEntry[]): Promise<void> {
    const batch = this.db.batch()
    const packId = fromHex(pack)
    for (const e of entries) batch.put(e.id, encodeValue(packId, e), { sublevel: this.blobs })
    batch.put(pack, encodeEntries(entries), { sublevel: this.pending })
    await batch.write({ sync: true })
  }

  /**
   * Packs stored here whose blobs no index object in the catalog lists yet, in pack id order,
   * with their entry lists as stored (encodeEntries' format, which an index object embeds) and
   * the number of entries in each.
   */
  async * unpublishedPacks (): AsyncGenerator<{ pack: string, list: Uint8Array, count: number }> {
    for await (const [pack, list] of this.pending.iterator()) yield { pack, list, count: entryCount(list) }
  }

  /** The index object `indexId`, listing `packs`, is now in the catalog. */
  async markPublished (indexId: string, packs: readonly string[]): Promise<void> {
    const batch = this.db.batch()
    for (const pack of packs) batch.del(pack, { sublevel: this.pending })
    batch.put(indexId, '1', { sublevel: this.loaded })
    await batch.write({ sync: true })
  }

  /** Loads an index object read from the repository (a fresh machine, or another key holder's backup). */
  async loadIndexObject (indexId: string, packs: ReadonlyArray<{ pack: string, entries: readonly PackEntry[] }>): Promise<void> {
    const batch = this.db.batch()
    for (const { pack, entries } of packs) {
      const packId = fromHex(pack)
      for (const e of entries) batch.put(e.id, encodeValue(packId, e), { sublevel: this.blobs })
    }
    batch.put(indexId, '1', { sublevel: this.loaded })
    await batch.write({ sync: true })
  }

  /** Forgets the blobs among `ids` that this index places in `pack` (a pack prune deleted). */
  async forgetPack (pack: string, ids: readonly Uint8Array[]): Promise<void> {
    if (ids.length === 0) return
    const current = await this.getMany(ids)
    const batch = this.db.batch()
    ids.forEach((id, i) => { if (current[i]?.pack === pack) batch.del(id, { sublevel: this.blobs }) })
    batch.del(pack, { sublevel: this.pending })
    await batch.write({ sync: true })
  }

  async hasLoaded (indexId: string): Promise<boolean> {
    return (await this.loaded.get(indexId)) !== undefined
  }

  async close (): Promise<void> {
    await this.db.close()
  }
}
