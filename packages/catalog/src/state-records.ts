import type { BlobLocation, PackId, RepoId, SiteId, SnapshotId } from '@resilien/types'

/** A wrapped master key of a repository (one per passphrase). */
export interface CatalogKey {
  keyId: string
  wrapped: string
}

/**
 * An encrypted index object of a repository: where it lies. The packs it describes stay in its
 * `index-added` fact in the log; the state does not copy them (up to 64 pack ids per object, read
 * by no one), so the row of an object a prune replaced is a few hundred bytes.
 */
export interface CatalogIndexObject {
  index: string
  location: BlobLocation
}

/** A snapshot that is not forgotten: its sealed record, and the site and time of its log entry. */
export interface CatalogSnapshot {
  snapshot: SnapshotId
  sealed: string
  site: SiteId
  time: number
}

/** A pack-deleted tombstone. */
export interface DeletedPack {
  repo: RepoId
  pack: PackId
}

/**
 * How state rows are stored: the value plus the stamp (time, hash) of the entry that put it
 * there, which decides between two entries about the same id in any order of arrival.
 */
export interface Stamped<T> {
  t: number
  h: string
  v: T
}

/** Stripe rows also carry the pack-deleted tombstone, so listings filter without a lookup. */
export interface StampedStripe<T> extends Stamped<T> {
  deleted: boolean
}
