import { verify } from 'node:crypto'
import { ClassicLevel } from 'classic-level'
import { hash } from '@resilien/hashing'
import { ClosedError, InvalidInputError, RejectedEntryError } from '@resilien/types'
import type { CatalogFact, PackId, RepoId, RepoRecord, RetiredSite, SiteId, SiteRecord, SnapshotId, StripeRecord } from '@resilien/types'
import { LIMITS, STORE_FORMAT } from './constants.js'
import { KEYS } from './keys.js'
import { validateEntry } from './log-entry.js'
import type { LogEntry, LogHead } from './log-entry.js'
import { appendFacts, ingestEntries, readEntries, readHead, readHeads } from './log-store.js'
import { OwnHead } from './own-head.js'
import { integer, PATTERNS } from './shape.js'
import { ed25519PublicKeyObject } from './signer.js'
import type { PublicKeyResolver, SiteSigner } from './signer.js'
import type { CatalogDb } from './state-batch.js'
import * as state from './state-reader.js'
import type { CatalogIndexObject, CatalogKey, CatalogSnapshot, DeletedPack } from './state-records.js'
import { packId, repoId, siteId, snapshotId, validateFact } from './validate-fact.js'
import { verifySignatures } from './verify-entries.js'

/**
 * LevelDB's block cache and write buffer, kept small: the node runs on 2 GB boards within a
 * 150 MiB budget, and these lookups are mostly of recent keys (defaults: 8 MiB and 4 MiB).
 */
const LEVELDB_MEMORY = { cacheSize: 2 * 1024 * 1024, writeBufferSize: 1024 * 1024 }

export interface CatalogInit {
  /** Directory of the LevelDB that holds the logs and the folded state (created if missing). */
  path: string
  signer: SiteSigner
  resolvePublicKey: PublicKeyResolver
  /** Clock for entry times (ms since the epoch); tests pin it. Defaults to Date.now. */
  now?: () => number
}

export interface Catalog {
  readonly site: SiteId
  /** Appends facts to this site's log as one atomic, durable (sync) batch, folding them into the state in the same batch. */
  append (facts: readonly CatalogFact[]): Promise<LogEntry[]>
  /** The last entry held of every site's log (this site's included). */
  heads (): Promise<Map<SiteId, LogHead>>
  /**
   * Undefined when this site's own log is whole; else one line saying which of its entries the
   * catalog on disk lost (then appends are refused until sync brings them back from a peer).
   */
  ownLogProblem (): Promise<string | undefined>
  /** Entries of one site's log with seq >= from (and <= to), streamed in order. */
  entries (site: SiteId, from: number, to?: number): AsyncIterable<LogEntry>
  /**
   * Verifies and appends other sites' entries (shape, hash, signature, seq continuity, chain).
   * Idempotent for entries already held. Any refused entry (RejectedEntryError naming its site,
   * seq and reason) refuses the whole batch: nothing of it is applied. Returns how many were new.
   */
  ingest (entries: readonly unknown[]): Promise<number>
  sites (): AsyncIterable<SiteRecord>
  /** Sites retired (drained by repair) or declared lost. */
  retiredSites (): AsyncIterable<RetiredSite>
  /** Ids of the shards that live stripes place on `site`, in id order (storage-side GC). */
  placedShards (site: SiteId): AsyncIterable<string>
  /** By id, else by name: the earliest (createdAt, then id) of the repositories with that name. */
  repo (idOrName: string): Promise<RepoRecord | undefined>
  repos (): AsyncIterable<RepoRecord>
  keys (repo: RepoId): Promise<CatalogKey[]>
  /** The stripe of a pack, also when the pack is deleted (its shards are still to be removed). */
  stripe (pack: PackId): Promise<StripeRecord | undefined>
  /** Stripes of packs not deleted, of one repository or of all (in repository, then pack order). */
  stripes (repo?: RepoId): AsyncIterable<StripeRecord>
  /** pack-deleted tombstones, of one repository or of all. */
  deletedPacks (repo?: RepoId): AsyncIterable<DeletedPack>
  isPackDeleted (repo: RepoId, pack: PackId): Promise<boolean>
  indexObjects (repo: RepoId): AsyncIterable<CatalogIndexObject>
  /** Snapshots not forgotten, in snapshot id order. */
  snapshots (repo: RepoId): AsyncIterable<CatalogSnapshot>
  snapshot (repo: RepoId, id: SnapshotId): Promise<CatalogSnapshot | undefined>
  /** Waits for running writes, then closes the store. Idempotent. */
  close (): Promise<void>
}

/** What the signer signs at open to prove it holds the key the resolver gives for its site. */
const KEY_CHECK = hash(new TextEncoder().encode('resilien catalog signer check v1'))

function checkSigner (signer: SiteSigner, resolve: PublicKeyResolver): void {
  siteId(signer.site, 'signer.site')
  const raw = resolve(signer.site)
  if (raw === undefined) throw new InvalidInputError(`no public key is known for this site (${signer.site})`)
  if (!verify(null, KEY_CHECK, ed25519PublicKeyObject(raw), signer.sign(KEY_CHECK))) {
    throw new InvalidInputError(`the signer's key is not the public key known for ${signer.site}: other sites would refuse its entries`)
  }
}

/** A data dir belongs to one site and one layout version: refuse anything else before writing. */
async function checkStore (db: CatalogDb, site: SiteId): Promise<void> {
  const format = await db.get(KEYS.meta('format'))
  const owner = await db.get(KEYS.meta('site'))
  if (format === undefined && owner === undefined) {
    await db.batch().put(KEYS.meta('format'), STORE_FORMAT).put(KEYS.meta('site'), site).write({ sync: true })
    return
  }
  if (format !== STORE_FORMAT) throw new InvalidInputError(`catalog ${db.location} has format ${String(format)}, this version reads ${STORE_FORMAT}`)
  if (owner !== site) throw new InvalidInputError(`catalog ${db.location} belongs to site ${String(owner)}, not to ${site}`)
}

export async function openCatalog (init: CatalogInit): Promise<Catalog> {
  if (typeof init.path !== 'string' || init.path === '') throw new InvalidInputError('catalog path must be a non-empty string')
  checkSigner(init.signer, init.resolvePublicKey)
  const db: CatalogDb = new ClassicLevel<string, unknown>(init.path, { keyEncoding: 'utf8', valueEncoding: 'json', ...LEVELDB_MEMORY })
  await db.open()
  let ownHead: OwnHead
  try {
    await checkStore(db, init.signer.site)
    ownHead = await OwnHead.load(`${init.path}${OWN_HEAD_SUFFIX}`)
  } catch (err) {
    await db.close()
    throw err
  }
  return new LevelCatalog(db, init, ownHead)
}

/** The own-head file sits beside the LevelDB folder (catalog -> catalog.own-head). */
const OWN_HEAD_SUFFIX = '.own-head'
const NO_HEAD: LogHead = { seq: 0, hash: '' }

function batchOf (items: unknown, what: string): readonly unknown[] {
  if (!Array.isArray(items)) throw new InvalidInputError(`${what} must be an array`)
  if (items.length > LIMITS.batchEntries) throw new InvalidInputError(`${what}: at most ${LIMITS.batchEntries} per call, got ${items.length}`)
  return items
}

class LevelCatalog implements Catalog {
  readonly site: SiteId
  private readonly signer: SiteSigner
  private readonly resolvePublicKey: PublicKeyResolver
  private readonly now: () => number
  private closed = false
  /** Writes run one at a time in call order, so seq numbers and heads never race. */
  private tail: Promise<unknown> = Promise.resolve()

  constructor (private readonly db: CatalogDb, init: CatalogInit, private readonly ownHead: OwnHead) {
    this.site = init.signer.site
    this.signer = init.signer
    this.resolvePublicKey = init.resolvePublicKey
    this.now = init.now ?? Date.now
  }

  private checkOpen (): void {
    if (this.closed) throw new ClosedError('catalog')
  }

  private serialize<T> (task: () => Promise<T>): Promise<T> {
    const result = this.tail.then(task)
    this.tail = result.catch(() => undefined)
    return result
  }

  async append (facts: readonly CatalogFact[]): Promise<LogEntry[]> {
    this.checkOpen()
    const checked = batchOf(facts, 'facts').map((fact, i) => validateFact(fact, `facts[${i}]`))
    if (checked.length === 0) return []
    return await this.serialize(async () => {
      this.ownHead.assertWhole(await this.heldOwnHead())
      const entries = await appendFacts(this.db, this.signer, checked, this.now())
      const last = entries.at(-1)
      if (last !== undefined) await this.ownHead.record({ seq: last.seq, hash: last.hash })
      return entries
    })
  }

  /** A point read: every append asks, and an iterator over all heads left native buffers behind for the collector. */
  private async heldOwnHead (): Promise<LogHead> {
    const { seq, hash } = await readHead(this.db, this.site)
    return seq === 0 ? NO_HEAD : { seq, hash }
  }

  async ownLogProblem (): Promise<string | undefined> {
    this.checkOpen()
    return this.ownHead.missing(await this.heldOwnHead())
  }

  async ingest (entries: readonly unknown[]): Promise<number> {
    this.checkOpen()
    if (!Array.isArray(entries)) throw new RejectedEntryError('malformed', undefined, undefined, 'entries must be an array')
    if (entries.length > LIMITS.batchEntries) {
      throw new RejectedEntryError('malformed', undefined, undefined, `at most ${LIMITS.batchEntries} entries per batch, got ${entries.length}`)
    }
    const checked = entries.map((entry, i) => validateEntry(entry, `entries[${i}]`))
    if (checked.length === 0) return 0
    await verifySignatures(checked, this.resolvePublicKey)
    return await this.serialize(async () => await ingestEntries(this.db, checked))
  }

  async heads (): Promise<Map<SiteId, LogHead>> {
    this.checkOpen()
    const heads = await readHeads(this.db)
    // A lost site's log is served only up to its recorded end: a site that pulls it before it
    // hears of the loss gets nothing its key signed after (what we took before we heard of it).
    for await (const retired of state.readRetiredSites(this.db)) {
      const head = heads.get(retired.site)
      if (retired.lost && retired.upTo !== undefined && head !== undefined && head.seq > retired.upTo.seq) heads.set(retired.site, { ...retired.upTo })
    }
    return heads
  }

  entries (site: SiteId, from: number, to: number = Number.MAX_SAFE_INTEGER): AsyncIterable<LogEntry> {
    this.checkOpen()
    siteId(site, 'site')
    integer(from, 'from', 1)
    integer(to, 'to')
    return this.entriesUpToLoss(site, from, to)
  }

  /** readEntries, ending at a lost site's recorded end (see heads). */
  private async * entriesUpToLoss (site: SiteId, from: number, to: number): AsyncGenerator<LogEntry> {
    const retired = await state.readRetiredSite(this.db, site)
    const end = retired?.lost === true && retired.upTo !== undefined ? retired.upTo.seq : to
    yield * readEntries(this.db, site, from, Math.min(to, end))
  }

  sites (): AsyncIterable<SiteRecord> {
    this.checkOpen()
    return state.readSites(this.db)
  }

  retiredSites (): AsyncIterable<RetiredSite> {
    this.checkOpen()
    return state.readRetiredSites(this.db)
  }

  placedShards (site: SiteId): AsyncIterable<string> {
    this.checkOpen()
    siteId(site, 'site')
    return state.readPlacedShards(this.db, site)
  }

  async repo (idOrName: string): Promise<RepoRecord | undefined> {
    this.checkOpen()
    if (typeof idOrName !== 'string') throw new InvalidInputError('repo: expected an id or a name')
    if (PATTERNS.hex64.test(idOrName)) {
      const byId = await state.readRepoById(this.db, idOrName)
      if (byId !== undefined) return byId
    }
    if (idOrName.length === 0 || idOrName.length > LIMITS.nameLength) return undefined
    return await state.readRepoByName(this.db, idOrName)
  }

  repos (): AsyncIterable<RepoRecord> {
    this.checkOpen()
    return state.readRepos(this.db)
  }

  async keys (repo: RepoId): Promise<CatalogKey[]> {
    this.checkOpen()
    return await state.readKeys(this.db, repoId(repo, 'repo'))
  }

  async stripe (pack: PackId): Promise<StripeRecord | undefined> {
    this.checkOpen()
    return await state.readStripe(this.db, packId(pack, 'pack'))
  }

  stripes (repo?: RepoId): AsyncIterable<StripeRecord> {
    this.checkOpen()
    return state.readStripes(this.db, repo === undefined ? undefined : repoId(repo, 'repo'))
  }

  deletedPacks (repo?: RepoId): AsyncIterable<DeletedPack> {
    this.checkOpen()
    return state.readDeletedPacks(this.db, repo === undefined ? undefined : repoId(repo, 'repo'))
  }

  async isPackDeleted (repo: RepoId, pack: PackId): Promise<boolean> {
    this.checkOpen()
    return await state.isPackDeleted(this.db, repoId(repo, 'repo'), packId(pack, 'pack'))
  }

  indexObjects (repo: RepoId): AsyncIterable<CatalogIndexObject> {
    this.checkOpen()
    return state.readIndexObjects(this.db, repoId(repo, 'repo'))
  }

  snapshots (repo: RepoId): AsyncIterable<CatalogSnapshot> {
    this.checkOpen()
    return state.readSnapshots(this.db, repoId(repo, 'repo'))
  }

  async snapshot (repo: RepoId, id: SnapshotId): Promise<CatalogSnapshot | undefined> {
    this.checkOpen()
    return await state.readSnapshot(this.db, repoId(repo, 'repo'), snapshotId(id, 'snapshot'))
  }

  async close (): Promise<void> {
    if (this.closed) return
    this.closed = true
    await this.tail
    await this.db.close()
  }
}
