import { chunkStream } from '@resilien/chunking'
import type { ChunkerOptions } from '@resilien/chunking'
import { keyedHash } from '@resilien/hashing'
import { ID_LENGTH } from './format.js'
import { openFileReader } from './file-reader.js'

/** Bytes read from a file per call: big enough to amortize the syscall, small enough to bound memory. */
export const READ_BUFFER_BYTES = 1024 * 1024
/** Chunks looked up in the index and sealed as one batch. */
export const SAVE_BATCH_BYTES = 1024 * 1024

/** A run of consecutive chunks of a file with their ids. */
export interface ChunkBatch {
  chunks: Uint8Array[]
  /** The chunk ids, 32 bytes each, back to back. */
  ids: Uint8Array
  /** File bytes read since the previous batch. */
  bytesRead: number
  /** The source ended with this batch (a batch that filled up just before the end does not know it). */
  last?: boolean
}

/**
 * Bytes to ask for with `room` to fill and `left` bytes expected: one byte past the expected
 * size, to see a file that grew since its stat; once it did, whole reads (not a byte at a time).
 */
export function readLength (room: number, left: number): number {
  return left >= 0 ? Math.min(room, left + 1) : room
}

/**
 * Reads a file in fresh buffers (chunks are views into them and live until their batch is done);
 * `blocking` as in openFileReader.
 */
export async function * readFileBuffers (path: Uint8Array, expected: number, signal?: AbortSignal, blocking = false): AsyncGenerator<Uint8Array> {
  const file = await openFileReader(path, blocking)
  try {
    let position = 0
    for (;;) {
      signal?.throwIfAborted()
      const size = readLength(READ_BUFFER_BYTES, expected - position)
      const buf = Buffer.allocUnsafe(size)
      const bytesRead = await file.read(buf, 0, size, position)
      if (bytesRead === 0) break
      position += bytesRead
      yield bytesRead === size ? buf : buf.subarray(0, bytesRead)
    }
  } finally {
    await file.close()
  }
}

/**
 * Cuts a stream into chunks, names them (keyed BLAKE3) and groups them in batches of about
 * SAVE_BATCH_BYTES. Runs on the main thread or inside a file worker.
 */
export async function * chunkBatches (source: AsyncIterable<Uint8Array>, chunker: ChunkerOptions, chunkIdKey: Uint8Array): AsyncGenerator<ChunkBatch> {
  let read = 0
  const counted = async function * (): AsyncGenerator<Uint8Array> {
    for await (const buf of source) {
      read += buf.byteLength
      yield buf
    }
  }
  yield * batchChunks(chunkStream(counted(), chunker), chunkIdKey, () => read)
}

/**
 * Names chunks (keyed BLAKE3) and groups them in batches of about SAVE_BATCH_BYTES; `bytesRead`
 * says how many source bytes were read so far (a batch reports those since the previous one).
 */
export async function * batchChunks (chunks: AsyncIterable<Uint8Array>, chunkIdKey: Uint8Array, bytesRead: () => number): AsyncGenerator<ChunkBatch> {
  let batch: Uint8Array[] = []
  let bytes = 0
  let reported = 0
  const flush = (last: boolean): ChunkBatch => {
    const ids = new Uint8Array(batch.length * ID_LENGTH)
    batch.forEach((c, i) => ids.set(keyedHash(chunkIdKey, c), i * ID_LENGTH))
    const read = bytesRead()
    const done = { chunks: batch, ids, bytesRead: read - reported, last }
    reported = read
    batch = []
    bytes = 0
    return done
  }
  for await (const chunk of chunks) {
    batch.push(chunk)
    bytes += chunk.byteLength
    if (bytes >= SAVE_BATCH_BYTES) yield flush(false)
  }
  if (batch.length > 0 || bytesRead() > reported) yield flush(true)
}
