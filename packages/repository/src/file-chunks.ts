import { chunkStream, looksLikeText, TEXT_SNIFF_BYTES } from '@resilien/chunking'
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

/** The chunker of a source: one for every source, or chosen from the source's first bytes. */
export type ChunkerChoice<T = ChunkerOptions> = T | ((head: Uint8Array) => T)

/**
 * A repository's chunker for file contents: with a text tier, the text chunker for a source whose
 * first TEXT_SNIFF_BYTES bytes look like text (looksLikeText), else the chunker.
 */
export function tieredChunker<T> (chunker: T, text: T | undefined): ChunkerChoice<T> {
  return text === undefined ? chunker : (head) => looksLikeText(head) ? text : chunker
}

/**
 * The first TEXT_SNIFF_BYTES bytes of a source (fewer if it ends sooner), gathered from as many
 * reads as it takes, so that a pipe handing over a few bytes at a time gets the same answer as a
 * file; and the whole source again from its start. The source must not reuse its buffers.
 * A consumer that stops iterating `all` early closes the source, as `for await` would (its
 * file is closed, its command stopped); one that does not iterate it at all calls `close`.
 */
export async function splitHead (source: AsyncIterable<Uint8Array>): Promise<{ head: Uint8Array, all: AsyncIterable<Uint8Array>, close: () => Promise<void> }> {
  const it = source[Symbol.asyncIterator]()
  const taken: Uint8Array[] = []
  let bytes = 0
  let ended = false
  while (bytes < TEXT_SNIFF_BYTES) {
    const next = await it.next()
    if (next.done === true) {
      ended = true
      break
    }
    taken.push(next.value)
    bytes += next.value.byteLength
  }
  const first = taken[0]
  const head = first !== undefined && first.byteLength >= Math.min(bytes, TEXT_SNIFF_BYTES)
    ? first.subarray(0, TEXT_SNIFF_BYTES)
    : Buffer.concat(taken).subarray(0, TEXT_SNIFF_BYTES)
  const close = async (): Promise<void> => {
    if (ended) return
    ended = true
    await it.return?.()
  }
  const all = async function * (): AsyncGenerator<Uint8Array> {
    try {
      yield * taken.splice(0)
      while (!ended) {
        const next = await it.next()
        if (next.done === true) {
          ended = true
          return
        }
        yield next.value
      }
    } finally {
      await close()
    }
  }
  return { head, all: all(), close }
}

/**
 * Cuts a stream into chunks, names them (keyed BLAKE3) and groups them in batches of about
 * SAVE_BATCH_BYTES. Runs on the main thread or inside a file worker.
 */
export async function * chunkBatches (source: AsyncIterable<Uint8Array>, chunker: ChunkerChoice, chunkIdKey: Uint8Array): AsyncGenerator<ChunkBatch> {
  let read = 0
  const counted = async function * (): AsyncGenerator<Uint8Array> {
    for await (const buf of source) {
      read += buf.byteLength
      yield buf
    }
  }
  let input: AsyncIterable<Uint8Array> = counted()
  let options: ChunkerOptions
  if (typeof chunker === 'function') {
    const { head, all, close } = await splitHead(input)
    try {
      options = chunker(head)
    } catch (err) {
      await close()
      throw err
    }
    input = all
  } else {
    options = chunker
  }
  yield * batchChunks(chunkStream(input, options), chunkIdKey, () => read)
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
