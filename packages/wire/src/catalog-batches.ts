import { InvalidInputError } from '@resilien/types'
import { BATCH_TARGET_BYTES, MAX_BATCH_ENTRIES, MAX_JSON_BODY_BYTES } from './constants.js'

/** A batch of log entries as it travels: a JSON array and how many entries it holds. */
export interface EncodedBatch {
  count: number
  body: Uint8Array
}

const encoder = new TextEncoder()
/** '[' and ']' around the entries. */
const BRACKETS = 2

/**
 * Groups entries into JSON batches of at most MAX_BATCH_ENTRIES entries, closed once they pass
 * BATCH_TARGET_BYTES (one entry alone may be larger, up to MAX_JSON_BODY_BYTES). Each entry is
 * serialized once, as it is reached: the source is read no faster than batches are taken.
 */
export async function * encodeBatches (entries: AsyncIterable<unknown> | Iterable<unknown>): AsyncGenerator<EncodedBatch> {
  let parts: string[] = []
  let bytes = BRACKETS
  const flush = (): EncodedBatch => {
    const batch = { count: parts.length, body: encoder.encode(`[${parts.join(',')}]`) }
    parts = []
    bytes = BRACKETS
    return batch
  }
  for await (const entry of entries) {
    const json = JSON.stringify(entry) as string | undefined
    if (json === undefined) throw new InvalidInputError('a catalog entry is not JSON')
    const size = Buffer.byteLength(json)
    if (size + BRACKETS > MAX_JSON_BODY_BYTES) throw new InvalidInputError(`a catalog entry of ${size} bytes exceeds ${MAX_JSON_BODY_BYTES - BRACKETS}`)
    if (parts.length > 0 && (parts.length >= MAX_BATCH_ENTRIES || bytes + 1 + size > BATCH_TARGET_BYTES)) yield flush()
    bytes += (parts.length > 0 ? 1 : 0) + size
    parts.push(json)
  }
  if (parts.length > 0) yield flush()
}
