import { CorruptShardError, ResilienError } from '@resilien/types'
import type { ShardId } from '@resilien/types'
import { DIGEST_LENGTH } from './constants.js'

/**
 * Binary values of the LevelDB index. Each starts with a format byte so that a later version
 * can read or refuse old records instead of misreading them.
 */
const RECORD_FORMAT = 1

/** What `list` and `has` need: small, so listing 10^6 shards reads little. */
export interface ShardRecord {
  size: number
  storedAt: number
}

/** What a read needs: the digest of every block, derived from bytes that hashed to the id. */
export interface BlockRecord {
  size: number
  blockSize: number
  digests: Uint8Array
}

export interface Counters {
  shards: number
  bytes: number
}

/** What an interrupted operation was about to do to a shard file; resolved at open. */
export const IntentKind = { put: 1, delete: 2, quarantine: 3 } as const
export type IntentKind = typeof IntentKind[keyof typeof IntentKind]

const SHARD_RECORD_LENGTH = 1 + 8 + 8
const BLOCK_HEADER_LENGTH = 1 + 8 + 4
const COUNTERS_LENGTH = 1 + 8 + 8

export function blockCount (size: number, blockSize: number): number {
  return Math.ceil(size / blockSize)
}

function view (bytes: Uint8Array): DataView {
  return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
}

export function encodeShardRecord (record: ShardRecord): Uint8Array {
  const bytes = new Uint8Array(SHARD_RECORD_LENGTH)
  const v = view(bytes)
  v.setUint8(0, RECORD_FORMAT)
  v.setFloat64(1, record.size)
  v.setFloat64(9, record.storedAt)
  return bytes
}

export function decodeShardRecord (id: ShardId, bytes: Uint8Array): ShardRecord {
  if (bytes.byteLength !== SHARD_RECORD_LENGTH || bytes[0] !== RECORD_FORMAT) throw malformed(id)
  const v = view(bytes)
  return { size: v.getFloat64(1), storedAt: v.getFloat64(9) }
}

export function encodeBlockRecord (record: BlockRecord): Uint8Array {
  const bytes = new Uint8Array(BLOCK_HEADER_LENGTH + record.digests.byteLength)
  const v = view(bytes)
  v.setUint8(0, RECORD_FORMAT)
  v.setFloat64(1, record.size)
  v.setUint32(9, record.blockSize)
  bytes.set(record.digests, BLOCK_HEADER_LENGTH)
  return bytes
}

export function decodeBlockRecord (id: ShardId, bytes: Uint8Array): BlockRecord {
  if (bytes.byteLength < BLOCK_HEADER_LENGTH || bytes[0] !== RECORD_FORMAT) throw malformed(id)
  const v = view(bytes)
  const size = v.getFloat64(1)
  const blockSize = v.getUint32(9)
  const digests = bytes.subarray(BLOCK_HEADER_LENGTH)
  if (blockSize === 0 || !Number.isSafeInteger(size) || digests.byteLength !== blockCount(size, blockSize) * DIGEST_LENGTH) {
    throw malformed(id)
  }
  return { size, blockSize, digests }
}

export function encodeCounters (counters: Counters): Uint8Array {
  const bytes = new Uint8Array(COUNTERS_LENGTH)
  const v = view(bytes)
  v.setUint8(0, RECORD_FORMAT)
  v.setFloat64(1, counters.shards)
  v.setFloat64(9, counters.bytes)
  return bytes
}

export function decodeCounters (bytes: Uint8Array): Counters {
  if (bytes.byteLength !== COUNTERS_LENGTH || bytes[0] !== RECORD_FORMAT) {
    throw new ResilienError('the shard index counters record is malformed')
  }
  const v = view(bytes)
  return { shards: v.getFloat64(1), bytes: v.getFloat64(9) }
}

export function encodeIntent (kind: IntentKind): Uint8Array {
  return Uint8Array.of(RECORD_FORMAT, kind)
}

export function decodeIntent (bytes: Uint8Array): IntentKind | undefined {
  if (bytes.byteLength !== 2 || bytes[0] !== RECORD_FORMAT) return undefined
  const kind = bytes[1]
  return kind === IntentKind.put || kind === IntentKind.delete || kind === IntentKind.quarantine ? kind : undefined
}

/** A shard whose index record cannot be read cannot be verified: it counts as corrupt. */
function malformed (id: ShardId): CorruptShardError {
  return new CorruptShardError(id, `the index record of shard ${id} is malformed`)
}
