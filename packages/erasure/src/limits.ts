/**
 * Limits of the code. A stripe never holds more shards than this: placement puts every shard of a
 * stripe on its own failure domain, and no collective has more than a few dozen of those.
 */
export const MAX_SHARDS = 32

/**
 * Shard lengths that `splitIntoDataShards` chooses are multiples of this, because the native
 * library only takes shards whose length is a multiple of 8 bytes. Other lengths still work:
 * their last (length mod 8) bytes are coded byte by byte (see `combine.ts`).
 */
export const SHARD_ALIGNMENT = 8
