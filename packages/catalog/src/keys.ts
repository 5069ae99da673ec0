import type { PackId, RepoId, SiteId, SnapshotId } from '@resilien/types'
import { SEQ_DIGITS } from './constants.js'

/**
 * The LevelDB layout: `<table>!<component>!...`. Components before the last are site ids
 * (alphanumeric), hex ids or zero-padded numbers, never '!', so a prefix ending in '!' is exactly
 * one table or one owner's rows; the last component may be any token.
 */

/** Range of every key that starts with prefix (which ends in '!': '"' is the next character). */
export function prefixRange (prefix: string): { gte: string, lt: string } {
  return { gte: prefix, lt: `${prefix.slice(0, -1)}"` }
}

function pad (n: number): string {
  return String(n).padStart(SEQ_DIGITS, '0')
}

export const KEYS = Object.freeze({
  meta: (name: string) => `meta!${name}`,
  /** The entry itself, as JSON. */
  log: (site: SiteId, seq: number) => `log!${site}!${pad(seq)}`,
  logPrefix: (site: SiteId) => `log!${site}!`,
  /** { seq, hash, time } of a site's last entry. */
  head: (site: SiteId) => `head!${site}`,
  headPrefix: 'head!',
  site: (site: SiteId) => `site!${site}`,
  sitePrefix: 'site!',
  repo: (repo: RepoId) => `repo!${repo}`,
  repoPrefix: 'repo!',
  /** Name index: the hex of the UTF-8 name, then createdAt and id, so the first row is the earliest. */
  repoName: (name: string, createdAt: number, repo: RepoId) => `name!${Buffer.from(name).toString('hex')}!${pad(createdAt)}!${repo}`,
  repoNamePrefix: (name: string) => `name!${Buffer.from(name).toString('hex')}!`,
  key: (repo: RepoId, keyId: string) => `key!${repo}!${keyId}`,
  keyPrefix: (repo: RepoId) => `key!${repo}!`,
  keyRemoved: (repo: RepoId, keyId: string) => `keyremoved!${repo}!${keyId}`,
  /** pack -> repository of its stripe, for lookups by pack alone. */
  pack: (pack: PackId) => `pack!${pack}`,
  stripe: (repo: RepoId, pack: PackId) => `stripe!${repo}!${pack}`,
  stripePrefix: (repo?: RepoId) => repo === undefined ? 'stripe!' : `stripe!${repo}!`,
  packDeleted: (repo: RepoId, pack: PackId) => `deleted!${repo}!${pack}`,
  packDeletedPrefix: (repo?: RepoId) => repo === undefined ? 'deleted!' : `deleted!${repo}!`,
  index: (repo: RepoId, index: string) => `index!${repo}!${index}`,
  indexPrefix: (repo: RepoId) => `index!${repo}!`,
  snapshot: (repo: RepoId, snapshot: SnapshotId) => `snapshot!${repo}!${snapshot}`,
  snapshotPrefix: (repo: RepoId) => `snapshot!${repo}!`,
  forgotten: (repo: RepoId, snapshot: SnapshotId) => `forgotten!${repo}!${snapshot}`,
  /** The latest move of one shard of a pack: applied to the stripe row, kept for a stripe folded later. */
  move: (pack: PackId, index: number) => `move!${pack}!${String(index).padStart(2, '0')}`,
  /** Which shards the live stripes place on a site, in id order: storage-side GC merges it with the store's list. */
  placed: (site: SiteId, shard: string) => `placed!${site}!${shard}`,
  placedPrefix: (site: SiteId) => `placed!${site}!`,
  retired: (site: SiteId) => `retired!${site}`,
  retiredPrefix: 'retired!'
})
