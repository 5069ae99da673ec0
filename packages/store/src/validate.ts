import { InvalidInputError } from '@resilien/types'
import type { ByteRange, ShardId, ShardPutOptions } from '@resilien/types'
import { MAX_SHARD_SIZE, SHARD_ID_HEX_LENGTH } from './constants.js'

const SHARD_ID = new RegExp(`^[0-9a-f]{${SHARD_ID_HEX_LENGTH}}$`)

export function assertShardId (id: unknown): asserts id is ShardId {
  if (typeof id !== 'string' || !SHARD_ID.test(id)) {
    throw new InvalidInputError(`not a shard id (${SHARD_ID_HEX_LENGTH} lowercase hex characters): ${String(id).slice(0, 80)}`)
  }
}

export function assertShardIds (ids: unknown): asserts ids is readonly ShardId[] {
  if (!Array.isArray(ids)) throw new InvalidInputError('shard ids must be an array')
  for (const id of ids) assertShardId(id)
}

function isNonNegativeInteger (value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0
}

/** Checks the form of a range before the shard's size is known. */
export function assertRangeShape (range: unknown): asserts range is ByteRange {
  const { offset, length } = (range ?? {}) as Partial<ByteRange>
  if (typeof range !== 'object' || range === null || !isNonNegativeInteger(offset) || !isNonNegativeInteger(length)) {
    throw new InvalidInputError('a byte range needs a non-negative integer offset and length')
  }
}

/** Checks that a range lies inside a shard of `size` bytes. */
export function assertRangeInside (range: ByteRange, size: number, id: ShardId): void {
  if (range.offset + range.length > size) {
    throw new InvalidInputError(`range ${range.offset}+${range.length} is outside shard ${id} of ${size} bytes`)
  }
}

function isAsyncIterable (data: unknown): data is AsyncIterable<Uint8Array> {
  return typeof data === 'object' && data !== null && Symbol.asyncIterator in data
}

/**
 * The byte length a put will store: the buffer's length, or `options.size` for a stream (which
 * the stream is later checked against). Shards hold 1 to MAX_SHARD_SIZE bytes.
 */
export function putSize (data: unknown, options: ShardPutOptions | undefined): number {
  let size: unknown
  if (data instanceof Uint8Array) {
    size = data.byteLength
    if (options?.size !== undefined && options.size !== size) {
      throw new InvalidInputError(`options.size is ${options.size} but the data has ${data.byteLength} bytes`)
    }
  } else if (isAsyncIterable(data)) {
    size = options?.size
    if (size === undefined) throw new InvalidInputError('a shard given as a stream needs options.size')
  } else {
    throw new InvalidInputError('shard data must be a Uint8Array or an async iterable of Uint8Array')
  }
  if (!isNonNegativeInteger(size) || size < 1 || size > MAX_SHARD_SIZE) {
    throw new InvalidInputError(`a shard has 1 to ${MAX_SHARD_SIZE} bytes, not ${String(size)}`)
  }
  return size
}

/** Checks a stream chunk and the running total against the announced size. */
export function checkStreamChunk (chunk: unknown, received: number, size: number): asserts chunk is Uint8Array {
  if (!(chunk instanceof Uint8Array)) throw new InvalidInputError('a shard stream must yield Uint8Array chunks')
  if (received + chunk.byteLength > size) {
    throw new InvalidInputError(`the shard stream is longer than options.size (${size} bytes)`)
  }
}

export function checkStreamEnd (received: number, size: number): void {
  if (received !== size) {
    throw new InvalidInputError(`the shard stream ended after ${received} of ${size} bytes`)
  }
}
