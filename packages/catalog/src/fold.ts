import { compareText } from '@resilien/types'
import type { CatalogFact, RepoRecord, RetiredSite, SiteRecord, StripeRecord } from '@resilien/types'
import { KEYS } from './keys.js'
import type { LogEntry } from './log-entry.js'
import type { StateBatch } from './state-batch.js'
import type { CatalogIndexObject, CatalogKey, CatalogSnapshot, Stamped, StampedStripe } from './state-records.js'

interface Stamp { t: number, h: string }

/** Total order of entries for conflict resolution: time, then hash. The same on every site. */
function before (a: Stamp, b: Stamp): boolean {
  return a.t < b.t || (a.t === b.t && a.h < b.h)
}

/**
 * Write-once rows: of two entries about the same id the earlier (time, hash) wins, whatever the
 * order they are folded in. Returns the row it displaced, null when it wrote into an empty slot,
 * or false when the held row wins.
 */
async function keepEarliest<T> (batch: StateBatch, key: string, row: Stamped<T>): Promise<Stamped<T> | null | false> {
  const held = await batch.get<Stamped<T>>(key)
  if (held !== undefined && !before(row, held)) return false
  batch.put(key, row)
  return held ?? null
}

/**
 * Folds one entry into the state. Every rule commutes, so all sites that hold the same set of
 * entries hold the same state, whatever order the entries arrived in:
 * - adds are sets keyed by their id; a conflicting second add of one id loses to the earlier
 *   (entry time, entry hash), and stays in the log only;
 * - 'site-joined' is the exception: the latest (time, hash) announcement of a site wins;
 * - tombstones ('snapshot-forgotten', 'pack-deleted', 'key-removed') win over their add in either order.
 */
export async function foldEntry (entry: LogEntry, batch: StateBatch): Promise<void> {
  const stamp = { t: entry.time, h: entry.hash }
  const fact = entry.fact
  switch (fact.type) {
    case 'site-joined': {
      const key = KEYS.site(fact.site)
      const held = await batch.get<Stamped<SiteRecord>>(key)
      if (held !== undefined && !before(held, stamp)) return
      const { site, name, zone, addrs, publicKey } = fact
      batch.put(key, { ...stamp, v: { site, name, zone, addrs, publicKey, time: entry.time, announcedBy: entry.site } })
      return
    }
    case 'repo-created': {
      const record = fact.record
      const displaced = await keepEarliest<RepoRecord>(batch, KEYS.repo(record.repo), { ...stamp, v: record })
      if (displaced === false) return
      if (displaced !== null) batch.del(KEYS.repoName(displaced.v.name, displaced.v.createdAt, displaced.v.repo))
      batch.put(KEYS.repoName(record.name, record.createdAt, record.repo), true)
      return
    }
    case 'key-added':
      if (await batch.has(KEYS.keyRemoved(fact.repo, fact.keyId))) return
      await keepEarliest<CatalogKey>(batch, KEYS.key(fact.repo, fact.keyId), { ...stamp, v: { keyId: fact.keyId, wrapped: fact.wrapped } })
      return
    case 'key-removed':
      await keepEarliest(batch, KEYS.keyRemoved(fact.repo, fact.keyId), { ...stamp, v: { site: entry.site } })
      batch.del(KEYS.key(fact.repo, fact.keyId))
      return
    case 'pack-stored':
      await foldStripe(fact.stripe, stamp, batch)
      return
    case 'pack-deleted': {
      await keepEarliest(batch, KEYS.packDeleted(fact.repo, fact.pack), { ...stamp, v: { site: entry.site } })
      const key = KEYS.stripe(fact.repo, fact.pack)
      const held = await batch.get<StampedStripe<StripeRecord>>(key)
      if (held !== undefined && !held.deleted) {
        batch.put(key, { ...held, deleted: true })
        setPlaced(batch, held.v, false)
      }
      return
    }
    case 'index-added':
      await keepEarliest<CatalogIndexObject>(batch, KEYS.index(fact.repo, fact.index), { ...stamp, v: { index: fact.index, location: fact.location } })
      return
    case 'snapshot-added':
      if (await batch.has(KEYS.forgotten(fact.repo, fact.snapshot))) return
      await keepEarliest<CatalogSnapshot>(batch, KEYS.snapshot(fact.repo, fact.snapshot), { ...stamp, v: { snapshot: fact.snapshot, sealed: fact.sealed, site: entry.site, time: entry.time } })
      return
    case 'snapshot-forgotten':
      await keepEarliest(batch, KEYS.forgotten(fact.repo, fact.snapshot), { ...stamp, v: { site: entry.site } })
      batch.del(KEYS.snapshot(fact.repo, fact.snapshot))
      return
    case 'shard-moved': {
      // The latest move of a shard wins, in any order of arrival; the stripe row shows it.
      const key = KEYS.move(fact.pack, fact.index)
      const held = await batch.get<Stamped<ShardMove>>(key)
      if (held !== undefined && !before(held, stamp)) return
      const move: Stamped<ShardMove> = { ...stamp, v: { index: fact.index, to: fact.to } }
      batch.put(key, move)
      const stripeKey = KEYS.stripe(fact.repo, fact.pack)
      const stripe = await batch.get<StampedStripe<StripeRecord>>(stripeKey)
      if (stripe !== undefined) {
        const moved = withMoves(stripe, [move])
        batch.put(stripeKey, moved)
        if (!stripe.deleted) {
          setPlaced(batch, stripe.v, false)
          setPlaced(batch, moved.v, true)
        }
      }
      return
    }
    case 'site-retired': {
      // Retired and lost both stick; lost wins over a drain, the earliest time is kept, and of
      // the log ends members recorded the furthest (what any member held is taken).
      const key = KEYS.retired(fact.site)
      const held = await batch.get<Stamped<RetiredSite>>(key)
      const lost = fact.lost || held?.v.lost === true
      const time = held === undefined ? entry.time : Math.min(held.v.time, entry.time)
      const ends = [held?.v.upTo, fact.upTo].filter((end) => end !== undefined)
      // Furthest first; at one seq the lower hash, so that every arrival order folds alike.
      const upTo = ends.sort((x, y) => y.seq - x.seq || compareText(x.hash, y.hash))[0]
      if (held !== undefined && held.v.lost === lost && held.v.time === time && held.v.upTo?.seq === upTo?.seq && held.v.upTo?.hash === upTo?.hash) return
      batch.put(key, { ...stamp, v: { site: fact.site, lost, time, ...(upTo === undefined ? {} : { upTo }) } })
    }
  }
}

interface ShardMove { index: number, to: string }

/** Adds or removes the `placed!site!shard` rows of a live stripe's shards. */
function setPlaced (batch: StateBatch, stripe: StripeRecord, placed: boolean): void {
  for (const shard of stripe.shards) {
    if (placed) batch.put(KEYS.placed(shard.site, shard.id), true)
    else batch.del(KEYS.placed(shard.site, shard.id))
  }
}

/** The stripe row with its shards' sites taken from the moves. */
function withMoves (row: StampedStripe<StripeRecord>, moves: ReadonlyArray<Stamped<ShardMove>>): StampedStripe<StripeRecord> {
  const shards = row.v.shards.map((s) => ({ ...s }))
  for (const move of moves) {
    const shard = shards[move.v.index]
    if (shard !== undefined) shard.site = move.v.to
  }
  return { ...row, v: { ...row.v, shards } }
}

/** A pack's stripe is write-once like other adds; the row moves if the winner names another repo. */
async function foldStripe (stripe: StripeRecord, stamp: Stamp, batch: StateBatch): Promise<void> {
  const heldRepo = await batch.get<string>(KEYS.pack(stripe.pack))
  if (heldRepo !== undefined) {
    const heldKey = KEYS.stripe(heldRepo, stripe.pack)
    const held = await batch.get<StampedStripe<StripeRecord>>(heldKey)
    if (held !== undefined && !before(stamp, held)) return
    batch.del(heldKey)
    if (held !== undefined && !held.deleted) setPlaced(batch, held.v, false)
  }
  const deleted = await batch.has(KEYS.packDeleted(stripe.repo, stripe.pack))
  const moves: Array<Stamped<ShardMove>> = []
  for (let i = 0; i < stripe.shards.length; i++) {
    const move = await batch.get<Stamped<ShardMove>>(KEYS.move(stripe.pack, i))
    if (move !== undefined) moves.push(move)
  }
  batch.put(KEYS.pack(stripe.pack), stripe.repo)
  const row = withMoves({ ...stamp, v: stripe, deleted }, moves)
  batch.put(KEYS.stripe(stripe.repo, stripe.pack), row)
  if (!deleted) setPlaced(batch, row.v, true)
}

/** The keys foldEntry reads for a fact (in the usual case), to read them ahead in one call. */
export function keysReadBy (fact: CatalogFact): string[] {
  switch (fact.type) {
    case 'site-joined': return [KEYS.site(fact.site)]
    case 'repo-created': return [KEYS.repo(fact.record.repo)]
    case 'key-added': return [KEYS.keyRemoved(fact.repo, fact.keyId), KEYS.key(fact.repo, fact.keyId)]
    case 'key-removed': return [KEYS.keyRemoved(fact.repo, fact.keyId)]
    case 'pack-stored': {
      const { repo, pack } = fact.stripe
      return [KEYS.pack(pack), KEYS.stripe(repo, pack), KEYS.packDeleted(repo, pack), ...fact.stripe.shards.map((_, i) => KEYS.move(pack, i))]
    }
    case 'shard-moved': return [KEYS.move(fact.pack, fact.index), KEYS.stripe(fact.repo, fact.pack)]
    case 'site-retired': return [KEYS.retired(fact.site)]
    case 'pack-deleted': return [KEYS.packDeleted(fact.repo, fact.pack), KEYS.stripe(fact.repo, fact.pack)]
    case 'index-added': return [KEYS.index(fact.repo, fact.index)]
    case 'snapshot-added': return [KEYS.forgotten(fact.repo, fact.snapshot), KEYS.snapshot(fact.repo, fact.snapshot)]
    case 'snapshot-forgotten': return [KEYS.forgotten(fact.repo, fact.snapshot)]
  }
}
