const KiB = 1024
const MiB = 1024 * KiB

/** Protocol ids: one per conversation, versioned; a new wire format gets a new id. */
export const SHARD_PROTOCOL = '/resilien/shard/1'
export const CATALOG_PROTOCOL = '/resilien/catalog/1'
export const JOIN_PROTOCOL = '/resilien/join/1'

/**
 * Largest header frame. Headers are small JSON objects (an op, an id, a few numbers); anything
 * longer is malformed, so a peer cannot make us buffer or parse megabytes of JSON.
 */
export const MAX_HEADER_BYTES = 64 * KiB

/** Largest shard on the wire: the store's MAX_SHARD_SIZE. */
export const MAX_SHARD_BYTES = 64 * MiB

/** Ids in one `has` request (sent as 32 raw bytes each, 128 KiB at most). */
export const MAX_HAS_IDS = 4096

/** Entries in one catalog batch (pull or push); a catalog ingests a batch as one write. */
export const MAX_BATCH_ENTRIES = 1000

/**
 * A pull or push batch is closed once its JSON passes this many bytes: a batch is handed to
 * `ingest` whole, so this bounds what one batch holds in memory on both sides.
 */
export const BATCH_TARGET_BYTES = 1 * MiB

/**
 * Largest JSON body accepted (catalog batches, heads, join answers). A catalog entry is at most
 * 1 MiB of canonical bytes, so one entry always fits, beside BATCH_TARGET_BYTES of others.
 */
export const MAX_JSON_BODY_BYTES = 4 * MiB

/**
 * Longest strings and longest lists a peer may send (beyond them the message is malformed). They
 * match the catalog's own limits where both hold the same thing (site ids, names, addresses).
 */
export const LIMITS = Object.freeze({
  /** Site ids are peer ids (about 52 characters). */
  peerId: 128,
  name: 256,
  secret: 1024,
  cluster: 256,
  addrs: 32,
  addr: 1024,
  /** Members named in one join answer. */
  members: 4096,
  /** An error message: one line. */
  message: 512,
  /** Logs listed in one heads answer (the 4 MiB body bound comes first, at ~30,000). */
  sites: 100_000
})

/**
 * A read that sees no byte for this long fails (the peer vanished or stalled). libp2p's own
 * stream inactivity timeout is not enforced in v3, so every read carries this timer.
 */
export const READ_TIMEOUT_MS = 30_000

/** A write that cannot hand over any byte for this long fails (the peer stopped reading). */
export const WRITE_TIMEOUT_MS = 30_000

/**
 * The slowest uplink a request body is given time for, in bytes per second (1 Mbit/s). The
 * answer to a body comes after its last byte arrives, and the last bytes we wrote may sit in
 * buffers long after our write returned, behind every other body the host sends at once: the
 * wait for the answer allows for all of them crossing at this rate, on top of READ_TIMEOUT_MS.
 */
export const SLOWEST_UPLINK_BYTES_PER_S = 125_000

/**
 * Bytes handed to the stream per `send`. The note measured 460 MB/s with 256 KiB writes and
 * 500 MB/s with 1 MiB writes; the writer never queues more than WRITE_HIGH_WATER anyway.
 */
export const WRITE_CHUNK_BYTES = 256 * KiB

/**
 * The writer waits while the stream's own write buffer holds this much: without the bound a
 * slow receiver lets a whole shard pile up in the sender's buffer.
 */
export const WRITE_HIGH_WATER = 1 * MiB

/**
 * The reader pauses the stream (yamux stops granting window) once this much is queued unread,
 * and resumes below half of it. What is in flight when it pauses still arrives: at most one
 * stream window.
 */
export const READ_HIGH_WATER = 1 * MiB

/**
 * yamux window per stream. The window bounds what a paused receiver must still take in, and
 * throughput over distance is at most window / RTT: 8 MiB gives ~200 MB/s at 40 ms, more than
 * the links of home sites, and bounds a stalled put to 8 MiB of receiver memory.
 */
export const STREAM_WINDOW_BYTES = 8 * MiB

/**
 * The stream's read buffer must hold everything the window lets in while paused, else yamux
 * resets the stream (StreamBufferError): twice the window leaves room for frames in flight.
 */
export const STREAM_READ_BUFFER_BYTES = 2 * STREAM_WINDOW_BYTES

/**
 * Requests one client keeps in flight to one peer per protocol; more wait their turn. Four
 * streams already fill a loopback link (the note: 430 MB/s with 4 streams, 460 with 1).
 */
export const CLIENT_STREAMS_PER_PEER = 4

/**
 * Inbound streams per protocol per connection. Above the clients' own limit so that a stream
 * whose close is still in flight never makes the next request fail; beyond it libp2p resets.
 */
export const SHARD_INBOUND_STREAMS = 2 * CLIENT_STREAMS_PER_PEER
export const CATALOG_INBOUND_STREAMS = 2 * CLIENT_STREAMS_PER_PEER
export const JOIN_INBOUND_STREAMS = 2

/**
 * Gets served at once by one host, over all connections. The ShardStore interface reads a
 * shard (or range) whole, so a get holds it in memory while it goes out: this bounds that to a
 * few shards. Gets beyond it wait, their streams open and idle.
 */
export const SERVED_GETS_AT_ONCE = 4

/**
 * Puts received at once by one host, over all connections. A put holds at most one window plus
 * READ_HIGH_WATER while the store writes; puts beyond it wait before asking for the body, so
 * nothing of theirs is buffered.
 */
export const RECEIVED_PUTS_AT_ONCE = 4

/**
 * New connections per second accepted from one host. libp2p's default (5) refuses a site that
 * reconnects in a burst, and loopback tests open many.
 */
export const INBOUND_CONNECTION_THRESHOLD = 100
