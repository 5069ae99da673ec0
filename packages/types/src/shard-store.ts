/** Hex of BLAKE3(shard bytes), 64 characters: any site can verify a shard without a key. */
export type ShardId = string

/** Options of every I/O call: an abort signal reaches the bottom. */
export interface AbortOptions {
  signal?: AbortSignal
}

export interface ByteRange {
  offset: number
  length: number
}

export interface ShardInfo {
  id: ShardId
  size: number
  /** Milliseconds since the epoch when the shard became durable here. */
  storedAt: number
}

export interface ShardStoreStats {
  shards: number
  bytes: number
  /** Free bytes on the file system that holds the shards (undefined for memory stores). */
  freeBytes?: number
}

/**
 * A content-addressed set of shards on one site. Every implementation runs the same compliance
 * suite (packages/store/test/compliance.ts).
 *
 * Contract:
 * - `put` verifies that the bytes hash to `id` before accepting them, and resolves only once
 *   the shard is durable (fsync'd and renamed into place). Putting a shard that is already
 *   present succeeds without writing its bytes again but renews its `storedAt`: a shard just
 *   given again is as fresh as a new one (a site's GC counts its grace period from there).
 *   A failed put leaves nothing behind.
 * - `get` never returns bytes that fail verification: it throws `CorruptShardError` naming the
 *   shard. A missing shard is `undefined`, not an error.
 * - `has` answers for many ids in one call (the network batches it).
 */
export interface ShardStore {
  put (id: ShardId, data: Uint8Array | AsyncIterable<Uint8Array>, options?: ShardPutOptions): Promise<void>
  get (id: ShardId, range?: ByteRange, options?: AbortOptions): Promise<Uint8Array | undefined>
  has (ids: readonly ShardId[], options?: AbortOptions): Promise<boolean[]>
  /**
   * Marks a present shard as stored now (see `put`) and answers whether it is present: what a
   * put that skips the bytes because the shard is already here must do.
   */
  renew (id: ShardId, options?: AbortOptions): Promise<boolean>
  /**
   * Removes a shard and answers whether it removed one; removing a missing shard is not an
   * error. With `storedBefore`, a shard stored (or renewed) at or after that time is kept: the
   * check and the removal are one step, so a put racing a GC pass never loses its shard.
   */
  delete (id: ShardId, options?: ShardDeleteOptions): Promise<boolean>
  /** Every shard, in id order, read from the index without loading it whole. */
  list (options?: AbortOptions): AsyncIterable<ShardInfo>
  stats (options?: AbortOptions): Promise<ShardStoreStats>
  close (): Promise<void>
}

export interface ShardDeleteOptions extends AbortOptions {
  /** Milliseconds since the epoch: only a shard stored before it is removed. */
  storedBefore?: number
}

export interface ShardPutOptions extends AbortOptions {
  /** Byte length, required when `data` is a stream (checked against what arrives). */
  size?: number
  /**
   * The caller computed `id` from these very bytes in this process (the local write path), so
   * the store may skip hashing them again. Never set for bytes that came over the network.
   */
  trustedId?: boolean
}
