import type { ShardId } from './shard-store.js'

/** A site's libp2p peer id (base58btc string); also the author id of its catalog log. */
export type SiteId = string
/** 32 random bytes, hex: names a repository in the clear. */
export type RepoId = string
/** Hex of BLAKE3(sealed pack bytes): a pack is named by its ciphertext. */
export type PackId = string
/** Hex of keyed BLAKE3(chunk-id key, plaintext): never leaves the key holder with content. */
export type ChunkId = string
/** 16 random bytes, hex: a snapshot's only clear name. */
export type SnapshotId = string

/**
 * A site as the catalog knows it: the latest 'site-joined' announcement about it, by the time of
 * the log entry that carried it (ties: the larger entry hash).
 */
export interface SiteRecord {
  site: SiteId
  name: string
  zone: string
  addrs: string[]
  publicKey: string
  /** Time of the announcing log entry, milliseconds since the epoch. */
  time: number
  /** The site whose log holds that announcement (the site itself or the member that admitted it). */
  announcedBy: SiteId
}

/** A site that left the cluster or is leaving it. */
export interface RetiredSite {
  site: SiteId
  /** Declared dead (`site lost`): its shards are rebuilt at once, it is refused from then on. */
  lost: boolean
  /** When it was first retired (entry time). */
  time: number
  /**
   * A lost site's log is taken up to this entry and no further (the furthest any member
   * recorded): what it signed while it was a member stays, and its key, perhaps stolen with the
   * machine, signs nothing new. Absent for a drain, and for a loss recorded before it existed.
   */
  upTo?: LogPosition
}

/** An entry of a site's catalog log: its seq and its hash (hex). */
export interface LogPosition {
  seq: number
  hash: string
}

/** Where one shard of a stripe lives. Position in `StripeRecord.shards` is the shard's index. */
export interface ShardPlacement {
  id: ShardId
  site: SiteId
  size: number
}

/**
 * One erasure-coded pack: k data shards (plain slices of the sealed pack, the last zero-padded)
 * and m parity shards. This is all a site needs to verify, scrub and repair without any key.
 */
export interface StripeRecord {
  repo: RepoId
  pack: PackId
  k: number
  m: number
  /** Bytes of the sealed pack before padding; data shard i holds [i * shardLength, (i+1) * shardLength). */
  packLength: number
  shardLength: number
  shards: ShardPlacement[]
}

export interface ChunkerParams {
  minSize: number
  avgSize: number
  maxSize: number
}

/** What `repo create` fixes for the life of a repository. Stored in clear in the catalog. */
export interface RepoRecord {
  repo: RepoId
  name: string
  k: number
  m: number
  chunker: ChunkerParams
  /**
   * The chunker of files that start as text (SQL dumps, logs, documents): finer, so that a day's
   * scattered edits resend less. Absent in repositories made before it existed: every file is
   * then cut by `chunker`.
   */
  textChunker?: ChunkerParams
  /** Target size of a sealed pack in bytes. */
  packSize: number
  createdAt: number
  createdBy: SiteId
}

/** Where an encrypted index object lies: a byte range of a pack, like any blob. */
export interface BlobLocation {
  pack: PackId
  offset: number
  length: number
}

/** Facts of the catalog. Each is keyed by a unique id, so folding them in any order agrees. */
export type CatalogFact =
  | { type: 'site-joined', site: SiteId, name: string, zone: string, addrs: string[], publicKey: string }
  | { type: 'repo-created', record: RepoRecord }
  | { type: 'key-added', repo: RepoId, keyId: string, wrapped: string }
  /** A key slot no longer opens the repository (its passphrase is retired); a tombstone, like snapshot-forgotten. */
  | { type: 'key-removed', repo: RepoId, keyId: string }
  | { type: 'pack-stored', stripe: StripeRecord }
  | { type: 'index-added', repo: RepoId, index: string, location: BlobLocation, packs: PackId[] }
  | { type: 'snapshot-added', repo: RepoId, snapshot: SnapshotId, sealed: string }
  | { type: 'snapshot-forgotten', repo: RepoId, snapshot: SnapshotId }
  | { type: 'pack-deleted', repo: RepoId, pack: PackId }
  /** Shard `index` of a stripe now lives on `to` (rebuilt or copied there by repair); `from` held it before. */
  | { type: 'shard-moved', repo: RepoId, pack: PackId, index: number, from: SiteId, to: SiteId }
  /** A site leaves: drained by repair (lost: false, `site retire`), or declared dead at once (lost: true, `site lost`). */
  | { type: 'site-retired', site: SiteId, lost: boolean, upTo?: LogPosition }

export type CatalogFactType = CatalogFact['type']
