import type { PackId, RepoId, RepoRecord, RetiredSite, SiteId, SiteRecord, SnapshotId, StripeRecord } from '@resilien/types'
import { KEYS, prefixRange } from './keys.js'
import type { CatalogDb } from './state-batch.js'
import type { CatalogIndexObject, CatalogKey, CatalogSnapshot, DeletedPack, Stamped, StampedStripe } from './state-records.js'

/** The folded state, read with point lookups and key-range iterators: never loaded whole. */

async function * rows<T> (db: CatalogDb, prefix: string): AsyncGenerator<Stamped<T>> {
  for await (const value of db.values(prefixRange(prefix))) yield value as Stamped<T>
}

async function row<T> (db: CatalogDb, key: string): Promise<T | undefined> {
  return (await db.get(key) as Stamped<T> | undefined)?.v
}

export async function * readSites (db: CatalogDb): AsyncGenerator<SiteRecord> {
  for await (const r of rows<SiteRecord>(db, KEYS.sitePrefix)) yield r.v
}

/** Ids of the shards live stripes place on `site`, in id order. */
export async function * readPlacedShards (db: CatalogDb, site: SiteId, after = ''): AsyncGenerator<string> {
  const prefix = KEYS.placedPrefix(site)
  const range = prefixRange(prefix)
  for await (const key of db.keys(after === '' ? range : { gt: prefix + after, lt: range.lt })) yield key.slice(prefix.length)
}

export async function * readRetiredSites (db: CatalogDb): AsyncGenerator<RetiredSite> {
  for await (const r of rows<RetiredSite>(db, KEYS.retiredPrefix)) yield r.v
}

export async function readRetiredSite (db: CatalogDb, site: SiteId): Promise<RetiredSite | undefined> {
  return await row<RetiredSite>(db, KEYS.retired(site))
}

export async function readRepoById (db: CatalogDb, repo: RepoId): Promise<RepoRecord | undefined> {
  return await row<RepoRecord>(db, KEYS.repo(repo))
}

/** The earliest repository (createdAt, then id) of that name: the name index is in that order. */
export async function readRepoByName (db: CatalogDb, name: string): Promise<RepoRecord | undefined> {
  for await (const key of db.keys({ ...prefixRange(KEYS.repoNamePrefix(name)), limit: 1 })) {
    return await readRepoById(db, key.slice(key.lastIndexOf('!') + 1))
  }
  return undefined
}

export async function * readRepos (db: CatalogDb): AsyncGenerator<RepoRecord> {
  for await (const r of rows<RepoRecord>(db, KEYS.repoPrefix)) yield r.v
}

export async function readKeys (db: CatalogDb, repo: RepoId): Promise<CatalogKey[]> {
  const keys: CatalogKey[] = []
  for await (const r of rows<CatalogKey>(db, KEYS.keyPrefix(repo))) keys.push(r.v)
  return keys
}

export async function readStripe (db: CatalogDb, pack: PackId): Promise<StripeRecord | undefined> {
  const repo = await db.get(KEYS.pack(pack)) as RepoId | undefined
  return repo === undefined ? undefined : await row<StripeRecord>(db, KEYS.stripe(repo, pack))
}

export async function * readStripes (db: CatalogDb, repo?: RepoId): AsyncGenerator<StripeRecord> {
  for await (const value of db.values(prefixRange(KEYS.stripePrefix(repo)))) {
    const r = value as StampedStripe<StripeRecord>
    if (!r.deleted) yield r.v
  }
}

export async function * readDeletedPacks (db: CatalogDb, repo?: RepoId): AsyncGenerator<DeletedPack> {
  for await (const key of db.keys(prefixRange(KEYS.packDeletedPrefix(repo)))) {
    const [, r, pack] = key.split('!') as [string, RepoId, PackId]
    yield { repo: r, pack }
  }
}

export async function isPackDeleted (db: CatalogDb, repo: RepoId, pack: PackId): Promise<boolean> {
  return await db.has(KEYS.packDeleted(repo, pack))
}

export async function * readIndexObjects (db: CatalogDb, repo: RepoId): AsyncGenerator<CatalogIndexObject> {
  // Rows folded by earlier versions also hold the pack list: not handed on.
  for await (const r of rows<CatalogIndexObject>(db, KEYS.indexPrefix(repo))) yield { index: r.v.index, location: r.v.location }
}

export async function * readSnapshots (db: CatalogDb, repo: RepoId): AsyncGenerator<CatalogSnapshot> {
  for await (const r of rows<CatalogSnapshot>(db, KEYS.snapshotPrefix(repo))) yield r.v
}

export async function readSnapshot (db: CatalogDb, repo: RepoId, snapshot: SnapshotId): Promise<CatalogSnapshot | undefined> {
  return await row<CatalogSnapshot>(db, KEYS.snapshot(repo, snapshot))
}
