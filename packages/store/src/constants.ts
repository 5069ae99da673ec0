const KiB = 1024
const MiB = 1024 * KiB

/** A shard id is the lowercase hex of a 32-byte BLAKE3 digest. */
export const SHARD_ID_HEX_LENGTH = 64

/** Bytes of one BLAKE3 digest (shard ids and block digests). */
export const DIGEST_LENGTH = 32

/**
 * Largest shard accepted. Shards are typically 1-4 MiB (a pack of a few MiB over k data shards);
 * the bound keeps a full read or a stream put from holding an unbounded buffer.
 */
export const MAX_SHARD_SIZE = 64 * MiB

/**
 * Default size of the blocks whose digests the index keeps for verified range reads. Restore
 * reads chunks of about 64 KiB, so a range read usually hashes one or two blocks instead of a
 * whole shard; the index pays 32 bytes per block (0.05 % of the data).
 */
export const DEFAULT_BLOCK_SIZE = 64 * KiB

/** Smallest block size: one BLAKE3 chunk; below it the index grows with no gain in speed. */
export const MIN_BLOCK_SIZE = 1 * KiB

/** Largest block size: beyond it a small range read hashes as much as a whole shard. */
export const MAX_BLOCK_SIZE = 16 * MiB

/**
 * Free space a put never eats into by default, so that the index (LevelDB), the logs and the
 * rest of the machine can still write after the shards have filled the disk.
 */
export const DEFAULT_RESERVE_BYTES = 256 * MiB

/** Hex characters of the id that name a shard's fan-out directory: 256 directories. */
export const FAN_OUT_PREFIX_LENGTH = 2
