/**
 * Limits of what one log entry may hold. They bound the memory and disk an entry from the
 * network can cost; an entry beyond them is refused as malformed. Writers must split their
 * facts to fit (e.g. the repository engine keeps index objects under MAX_INDEX_PACKS packs).
 */
export const LIMITS = Object.freeze({
  /** Bytes of an entry's canonical encoding (see entry-hash.ts). */
  entryBytes: 1024 * 1024,
  /** Entries in one append or ingest call: the whole call is one LevelDB batch held in memory. */
  batchEntries: 10_000,
  /** Site ids are libp2p peer ids (base58btc, about 52 characters); room for other multibases. */
  siteIdLength: 128,
  /** Site, repository and zone names: human labels. */
  nameLength: 256,
  /** Opaque short ids chosen by the writer (key id, index object id). */
  shortIdLength: 128,
  addrs: 32,
  addrLength: 1024,
  publicKeyLength: 1024,
  /** A wrapped master key is 171 bytes (packages/crypto): room for any text encoding of it. */
  wrappedLength: 4096,
  /** A sealed snapshot record (root tree id, host, paths, tags, statistics), text encoded. */
  sealedLength: 64 * 1024,
  /** Packs one index object may describe. */
  indexPacks: 8192,
  /** k + m of a stripe: Reed-Solomon over GF(2^8) cannot code more shards than this. */
  stripeWidth: 256
})

/**
 * Seq numbers are zero-padded to this many digits in LevelDB keys so that key order is seq
 * order; 16 digits hold every safe integer (2^53 - 1 has 16 digits).
 */
export const SEQ_DIGITS = 16

/** Prefix of the bytes an entry's hash covers: the hash of one format never equals another's. */
export const ENTRY_HASH_DOMAIN = 'resilien catalog entry v1\n'

/**
 * Version of the LevelDB layout (keys.ts); a catalog written by another version is refused.
 * 2 added the placed!site!shard index (storage-side GC): a format-1 catalog would lack it.
 */
export const STORE_FORMAT = 2
