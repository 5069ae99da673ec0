import { randomBytes } from 'node:crypto'
import { join } from 'node:path'
import { mkdir } from 'node:fs/promises'
import { createChunker, DEFAULT_CHUNKER_OPTIONS, TEXT_CHUNKER_OPTIONS } from '@resilien/chunking'
import type { ChunkerOptions } from '@resilien/chunking'
import { deriveRepoKeys } from '@resilien/crypto'
import type { KdfParams, RepoKeys } from '@resilien/crypto'
import type { ErasureBackend } from '@resilien/erasure'
import type { Catalog } from '@resilien/catalog'
import { InvalidInputError, NotFoundError, compareText, fromHex, toHex } from '@resilien/types'
import type { AbortOptions, ChunkerParams, Placement, RepoRecord, ShardSites, SiteId } from '@resilien/types'
import { BlobReader } from './blob-reader.js'
import { tieredChunker } from './file-chunks.js'
import type { ChunkerChoice } from './file-chunks.js'
import type { ReadOptions } from './blob-reader.js'
import { ChunkIndex } from './chunk-index.js'
import type { BlobLocationEntry } from './chunk-index.js'
import { BlobType, DEFAULT_K, DEFAULT_M, DEFAULT_PACK_SIZE, MAX_PACK_SIZE, MIN_PACK_SIZE } from './format.js'
import { LruCache } from './lru-cache.js'
import { decodeIndexObject } from './index-object.js'
import { newMasterKey, openKeyring } from './keyring.js'
import type { KeyCache } from './key-cache.js'
import { openSnapshot } from './snapshot-record.js'
import type { SnapshotRecord } from './snapshot-record.js'
import { decodeTree } from './tree.js'
import type { Tree } from './tree.js'
import { MAX_SHARDS } from '@resilien/erasure'

export interface RepositoryComponents {
  catalog: Catalog
  sites: ShardSites
  placement: Placement
  erasure?: ErasureBackend
}

export interface CreateRepositoryOptions {
  name: string
  passphrase: string
  site: SiteId
  k?: number
  m?: number
  packSize?: number
  chunker?: ChunkerParams
  /**
   * The chunker of files that start as text (RepoRecord.textChunker); false: none. Default: the
   * text tier when `chunker` is the default too, none when the caller chose its own `chunker`.
   */
  textChunker?: ChunkerParams | false
  kdf?: KdfParams
  /**
   * Where the new keys go once the repository is recorded: whoever creates a repository has just
   * proved its passphrase, so the first backup that follows need not run the KDF again.
   */
  keyCache?: KeyCache
}

const REPO_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/

/** Creates a repository: a random master key wrapped by the passphrase, and its record, in one catalog append. */
export async function createRepository (components: RepositoryComponents, options: CreateRepositoryOptions): Promise<RepoRecord> {
  if (!REPO_NAME.test(options.name)) {
    throw new InvalidInputError(`repository name "${options.name}" is not allowed: use 1-64 letters, digits, '.', '_' or '-'`)
  }
  if (await components.catalog.repo(options.name) !== undefined) {
    throw new InvalidInputError(`a repository named "${options.name}" exists already`)
  }
  const k = options.k ?? DEFAULT_K
  const m = options.m ?? DEFAULT_M
  if (!Number.isSafeInteger(k) || !Number.isSafeInteger(m) || k < 1 || m < 0 || k + m > MAX_SHARDS) {
    throw new InvalidInputError(`bad erasure policy k=${k} m=${m}: need k >= 1, m >= 0, k + m <= ${MAX_SHARDS}`)
  }
  const packSize = options.packSize ?? DEFAULT_PACK_SIZE
  if (packSize < MIN_PACK_SIZE || packSize > MAX_PACK_SIZE) throw new InvalidInputError(`pack size ${packSize} is outside [${MIN_PACK_SIZE}, ${MAX_PACK_SIZE}]`)
  const chunker = options.chunker ?? { minSize: DEFAULT_CHUNKER_OPTIONS.minSize, avgSize: DEFAULT_CHUNKER_OPTIONS.avgSize, maxSize: DEFAULT_CHUNKER_OPTIONS.maxSize }
  const textChunker = options.textChunker ?? (options.chunker === undefined ? { ...TEXT_CHUNKER_OPTIONS } : false)
  if (textChunker !== false) {
    // Sizes a chunker cannot take throw InvalidInputError here, not at every later backup.
    createChunker(textChunker)
    if (textChunker.maxSize > chunker.maxSize) throw new InvalidInputError(`the text chunker's maximum ${textChunker.maxSize} is above the chunker's ${chunker.maxSize}`)
  }
  const key = await newMasterKey(options.passphrase, options.kdf)
  const record: RepoRecord = {
    repo: toHex(randomBytes(32)),
    name: options.name,
    k,
    m,
    chunker,
    ...(textChunker === false ? {} : { textChunker }),
    packSize,
    createdAt: Date.now(),
    createdBy: options.site
  }
  await components.catalog.append([
    { type: 'repo-created', record },
    { type: 'key-added', repo: record.repo, keyId: key.keyId, wrapped: key.wrapped }
  ])
  options.keyCache?.set(record.repo, options.passphrase, deriveRepoKeys(key.master), key.keyId)
  return record
}

export interface OpenRepositoryOptions extends AbortOptions {
  /** Name or id. */
  repo: string
  passphrase: string
  /** Folder for the local caches of this site (the chunk index); one subfolder per repository. */
  cacheDir: string
  /**
   * Supplies an already open chunk index (LevelDB allows one handle per folder, so a node that
   * serves several requests on one repository shares it); the repository then does not close it.
   */
  sharedIndex?: (repo: RepoRecord, dir: string) => Promise<ChunkIndex>
  /** Keys opened recently with the same passphrase, to skip the KDF. */
  keyCache?: KeyCache
}

export interface SnapshotEntry {
  id: string
  site: string
  record: SnapshotRecord
}

/** Opens a repository with its passphrase and brings the local chunk index up to date with the catalog. */
export async function openRepository (components: RepositoryComponents, options: OpenRepositoryOptions): Promise<Repository> {
  const record = await components.catalog.repo(options.repo)
  if (record === undefined) throw new NotFoundError('repository', options.repo)
  const slots = await components.catalog.keys(record.repo)
  const cached = options.keyCache?.get(record.repo, options.passphrase)
  let keys = cached !== undefined && slots.some((s) => s.keyId === cached.keyId) ? cached.keys : undefined
  if (keys === undefined) {
    const opened = await openKeyring(slots, options.passphrase)
    keys = opened.keys
    options.keyCache?.set(record.repo, options.passphrase, keys, opened.keyId)
  }
  const dir = join(options.cacheDir, record.repo)
  await mkdir(dir, { recursive: true, mode: 0o700 })
  const shared = options.sharedIndex !== undefined
  const index = shared ? await (options.sharedIndex as NonNullable<typeof options.sharedIndex>)(record, join(dir, 'index')) : await ChunkIndex.open(join(dir, 'index'))
  const repository = new Repository(record, keys, index, components, !shared)
  try {
    await repository.syncIndex(options)
  } catch (err) {
    await repository.close()
    throw err
  }
  return repository
}

/** Packs whose deleted-or-live state is remembered, and for how long a "live" answer holds. */
const PACK_STATE_ENTRIES = 4096
const PACK_STATE_TTL_MS = 2000

/**
 * An open repository: its record, its keys, the local chunk index and a blob reader. The
 * engines (backup, restore, check) work through it.
 */
export class Repository {
  readonly reader: BlobReader
  /** The largest plaintext a blob may have: a max-size chunk, or a tree / index piece of that size. */
  readonly maxBlobSize: number
  /** Recent answers of the catalog about packs (see isPackDeleted). */
  private readonly packStates = new LruCache<string, { deleted: boolean, at: number }>(PACK_STATE_ENTRIES)

  constructor (
    readonly record: RepoRecord,
    readonly keys: RepoKeys,
    readonly index: ChunkIndex,
    readonly components: RepositoryComponents,
    private readonly ownsIndex = true
  ) {
    // The text tier's chunks are never larger (the catalog checks every record).
    this.maxBlobSize = record.chunker.maxSize
    this.reader = new BlobReader(
      { dataKey: keys.dataKey, chunkIdKey: keys.chunkIdKey, maxBlobSize: this.maxBlobSize },
      {
        sites: components.sites,
        placement: components.placement,
        stripe: async (pack) => components.catalog.stripe(pack),
        ...(components.erasure === undefined ? {} : { erasure: components.erasure })
      }
    )
  }

  get id (): string {
    return this.record.repo
  }

  /** The chunker of this repository (trees, and files that are not text), with its secret gear table. */
  chunkerOptions (): ChunkerOptions {
    return { ...this.record.chunker, gearSeed: this.keys.gearSeed }
  }

  /** The chunker of file contents: the finer text tier for text when the repository has one (tieredChunker). */
  contentChunker (): ChunkerChoice {
    const text = this.record.textChunker
    return tieredChunker(this.chunkerOptions(), text === undefined ? undefined : { ...text, gearSeed: this.keys.gearSeed })
  }

  /** Loads into the local index every index object of the catalog it has not loaded yet. */
  async syncIndex (options: AbortOptions = {}): Promise<number> {
    let loaded = 0
    for await (const obj of this.components.catalog.indexObjects(this.record.repo)) {
      options.signal?.throwIfAborted()
      if (await this.index.hasLoaded(obj.index)) continue
      // Replaced by a prune's index rewrite (its live listings are in index objects committed
      // before its pack was deleted), and its shards may be gone already.
      if (await this.components.catalog.isPackDeleted(this.record.repo, obj.location.pack)) continue
      const plain = await this.reader.read({ id: fromHex(obj.index), type: BlobType.index, ...obj.location }, options)
      // Packs a prune deleted since this index object was written are not loaded.
      const packs = []
      for (const p of decodeIndexObject(plain).packs) if (!await this.components.catalog.isPackDeleted(this.record.repo, p.pack)) packs.push(p)
      await this.index.loadIndexObject(obj.index, packs)
      loaded++
    }
    return loaded
  }

  /**
   * Index lookups without the entries that point into packs a prune (maybe on another machine)
   * has deleted since this machine's index learnt them: such a blob is as good as absent.
   */
  async liveLocations (ids: readonly Uint8Array[]): Promise<Array<BlobLocationEntry | undefined>> {
    const found = ids.length === 1 ? [this.index.getSync(ids[0] as Uint8Array)] : await this.index.getMany(ids)
    const deleted = new Map<string, boolean>()
    for (const loc of found) {
      if (loc === undefined || deleted.has(loc.pack)) continue
      deleted.set(loc.pack, await this.isPackDeleted(loc.pack))
    }
    return found.map((loc) => loc === undefined || deleted.get(loc.pack) === true ? undefined : loc)
  }

  /** A prune here just recorded these packs as deleted: no cached "live" answer may outlast that. */
  notePacksDeleted (packs: readonly string[]): void {
    for (const pack of packs) this.packStates.set(pack, { deleted: true, at: Date.now() })
  }

  /**
   * Whether a prune deleted the pack, asked of the catalog at most once per pack every
   * PACK_STATE_TTL_MS: a walk over an unchanged tree asks about the same few tree packs for every
   * folder. "Deleted" is final and kept; "live" is asked again after the TTL, a bound far below
   * the seconds a prune's facts take to reach this site anyway.
   */
  private async isPackDeleted (pack: string): Promise<boolean> {
    const known = this.packStates.get(pack)
    const now = Date.now()
    if (known !== undefined && (known.deleted || now - known.at < PACK_STATE_TTL_MS)) return known.deleted
    const deleted = await this.components.catalog.isPackDeleted(this.record.repo, pack)
    this.packStates.set(pack, { deleted, at: now })
    return deleted
  }

  /** Reads a blob through the local index. */
  async readBlob (id: string, type: BlobType, options: ReadOptions = {}): Promise<Uint8Array> {
    const idBytes = fromHex(id)
    const [location] = await this.liveLocations([idBytes])
    if (location === undefined) throw new NotFoundError('chunk', id, `chunk ${id} is not in the index (or a prune removed it)`)
    return this.reader.read({ id: idBytes, type, pack: location.pack, offset: location.offset, length: location.length }, options)
  }

  /** A serialized tree stored as one or more tree blobs. */
  async loadTree (ids: readonly string[], options: AbortOptions = {}): Promise<Tree> {
    const parts: Uint8Array[] = []
    // Tree packs hold many small trees read one after another: fetch their shards whole, once.
    for (const id of ids) parts.push(await this.readBlob(id, BlobType.tree, { ...options, wholeShards: true }))
    return decodeTree(parts.length === 1 ? parts[0] as Uint8Array : Buffer.concat(parts))
  }

  /** Every snapshot of the repository, opened, oldest first. */
  async listSnapshots (): Promise<SnapshotEntry[]> {
    const out: SnapshotEntry[] = []
    for await (const s of this.components.catalog.snapshots(this.record.repo)) {
      out.push({ id: s.snapshot, site: s.site, record: openSnapshot(this.keys.metadataKey, this.record.repo, s.snapshot, s.sealed) })
    }
    return out.sort((a, b) => compareText(a.record.time, b.record.time) || compareText(a.id, b.id))
  }

  /** `latest`, a full id, or a unique prefix of at least 4 hex digits (like restic). */
  async findSnapshot (ref: string): Promise<SnapshotEntry> {
    return (await this.findSnapshots([ref]))[0] as SnapshotEntry
  }

  /** Several references (as findSnapshot's) resolved against one listing: each record is opened once. */
  async findSnapshots (refs: readonly string[]): Promise<SnapshotEntry[]> {
    return resolveSnapshots(await this.listSnapshots(), refs, this.record.name)
  }

  async close (): Promise<void> {
    if (this.ownsIndex) await this.index.close()
  }
}

/**
 * Each reference to a snapshot of `all` (listSnapshots' order, oldest first): `latest`, a full
 * id, or a unique prefix of at least 4 hex digits (like restic). One that matches nothing, or
 * several, throws: nothing is resolved by half.
 */
export function resolveSnapshots (all: readonly SnapshotEntry[], refs: readonly string[], repoName: string): SnapshotEntry[] {
  return refs.map((ref) => {
    if (ref === 'latest') {
      const last = all[all.length - 1]
      if (last === undefined) throw new NotFoundError('snapshot', ref, `repository "${repoName}" has no snapshot yet`)
      return last
    }
    if (!/^[0-9a-f]{4,32}$/.test(ref)) throw new NotFoundError('snapshot', ref, `no snapshot "${ref}": give "latest", an id, or a prefix of at least 4 hex digits`)
    const matches = all.filter((s) => s.id.startsWith(ref))
    if (matches.length === 0) throw new NotFoundError('snapshot', ref, `no snapshot "${ref}" in repository "${repoName}"`)
    if (matches.length > 1) throw new InvalidInputError(`snapshot prefix "${ref}" is ambiguous (${matches.length} snapshots)`)
    return matches[0] as SnapshotEntry
  })
}
