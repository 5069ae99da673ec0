import { RejectedEntryError, ResilienError } from '@resilien/types'
import type { CatalogFact, LogPosition, RetiredSite, SiteId } from '@resilien/types'
import { foldEntry, keysReadBy } from './fold.js'
import { KEYS, prefixRange } from './keys.js'
import { signEntry } from './log-entry.js'
import type { LogEntry, LogHead } from './log-entry.js'
import type { SiteSigner } from './signer.js'
import type { Stamped } from './state-records.js'
import { StateBatch } from './state-batch.js'
import type { CatalogDb } from './state-batch.js'

/** A head as stored: the time lets a site keep its own entry times from going backwards. */
interface StoredHead extends LogHead {
  time: number
}

const EMPTY_HEAD: StoredHead = Object.freeze({ seq: 0, hash: '', time: 0 })

export async function readHead (db: CatalogDb, site: SiteId): Promise<StoredHead> {
  return (await db.get(KEYS.head(site)) as StoredHead | undefined) ?? EMPTY_HEAD
}

function record (batch: StateBatch, entry: LogEntry): StoredHead {
  batch.put(KEYS.log(entry.site, entry.seq), entry)
  return { seq: entry.seq, hash: entry.hash, time: entry.time }
}

/**
 * Appends validated facts to this site's log and folds them, as one synced batch. The caller
 * serializes calls, so the head read here is still the head when the batch lands.
 */
export async function appendFacts (db: CatalogDb, signer: SiteSigner, facts: readonly CatalogFact[], now: number): Promise<LogEntry[]> {
  let head = await readHead(db, signer.site)
  // Entry times of one log never go backwards, even when the clock does.
  const time = Math.max(now, head.time)
  const batch = new StateBatch(db)
  await batch.prefetch(facts.flatMap(keysReadBy))
  const entries: LogEntry[] = []
  for (const fact of facts) {
    const entry = signEntry({ site: signer.site, seq: head.seq + 1, prev: head.hash, time, fact }, signer)
    head = record(batch, entry)
    await foldEntry(entry, batch)
    entries.push(entry)
  }
  batch.put(KEYS.head(signer.site), head)
  await batch.write()
  return entries
}

/**
 * Adds entries whose shape, hash and signature were checked, after checking them against the
 * logs held: an entry already held is skipped, the next one must follow the head exactly.
 * Throws RejectedEntryError at the first offence and then writes nothing. The caller serializes
 * calls with appends. Returns how many entries were new.
 *
 * The log of a site declared lost ends where the members recorded it (RetiredSite.upTo): later
 * entries are passed over, not refused, since an honest member may hold more than the cutoff
 * (it took them before it heard of the loss); an entry at the cutoff that is not the recorded
 * one is a fork signed with the lost site's key, refused as an equivocation.
 */
export async function ingestEntries (db: CatalogDb, entries: readonly LogEntry[]): Promise<number> {
  const batch = new StateBatch(db)
  await batch.prefetch([...entries.flatMap((entry) => keysReadBy(entry.fact)), ...new Set(entries.map((entry) => KEYS.retired(entry.site)))])
  const heads = new Map<SiteId, StoredHead>()
  const moved = new Set<SiteId>()
  for (const entry of entries) {
    const { site, seq } = entry
    const head = heads.get(site) ?? await readHead(db, site)
    heads.set(site, head)
    if (seq <= head.seq) {
      const held = await batch.get<LogEntry>(KEYS.log(site, seq))
      if (held === undefined) throw new ResilienError(`catalog store is inconsistent: head of ${site} is ${head.seq} but entry ${seq} is missing`)
      if (held.hash === entry.hash) continue
      throw new RejectedEntryError('equivocation', site, seq, `its author signed another entry with this seq, held as ${held.hash}, this one is ${entry.hash}`, held.hash)
    }
    const end = await logEnd(batch, site)
    if (end !== undefined && seq > end.seq) continue
    if (end !== undefined && seq === end.seq && entry.hash !== end.hash) {
      throw new RejectedEntryError('equivocation', site, seq, `${site} was declared lost with its log ending at this seq in entry ${end.hash}; this one is ${entry.hash}`, end.hash)
    }
    if (seq !== head.seq + 1) {
      throw new RejectedEntryError('gap', site, seq, `the log of ${site} is held up to seq ${head.seq}: entries ${head.seq + 1}..${seq - 1} are missing`)
    }
    if (entry.prev !== head.hash) {
      throw new RejectedEntryError('broken-chain', site, seq, `prev is ${entry.prev === '' ? "''" : entry.prev} but entry ${head.seq} hashes to ${head.hash}`)
    }
    heads.set(site, record(batch, entry))
    moved.add(site)
    await foldEntry(entry, batch)
  }
  let added = 0
  for (const site of moved) {
    const head = heads.get(site) as StoredHead
    added += head.seq - (await readHead(db, site)).seq
    batch.put(KEYS.head(site), head)
  }
  await batch.write()
  return added
}

/**
 * Where the log of a site declared lost ends: the recorded entry, or seq 0 (nothing more) for a
 * loss recorded without one. Undefined for a site that was not declared lost.
 */
async function logEnd (batch: StateBatch, site: SiteId): Promise<LogPosition | undefined> {
  const retired = (await batch.get<Stamped<RetiredSite>>(KEYS.retired(site)))?.v
  if (retired?.lost !== true) return undefined
  return retired.upTo ?? { seq: 0, hash: '' }
}

export async function readHeads (db: CatalogDb): Promise<Map<SiteId, LogHead>> {
  const heads = new Map<SiteId, LogHead>()
  for await (const [key, value] of db.iterator(prefixRange(KEYS.headPrefix))) {
    const { seq, hash } = value as StoredHead
    heads.set(key.slice(KEYS.headPrefix.length), { seq, hash })
  }
  return heads
}

export async function * readEntries (db: CatalogDb, site: SiteId, from: number, to: number): AsyncGenerator<LogEntry> {
  if (to < from) return
  for await (const value of db.values({ gte: KEYS.log(site, from), lte: KEYS.log(site, to) })) {
    yield value as LogEntry
  }
}
