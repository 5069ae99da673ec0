import { InvalidInputError } from '@resilien/types'
import { createChunker } from './chunker.js'
import type { Chunker } from './chunker.js'
import type { ChunkerOptions } from './options.js'

const NO_BYTES = new Uint8Array(0)

/**
 * Streams chunks from an async iterable of buffers of ANY sizes (1 byte to many MiB). Memory
 * bounded: at most about maxSize + the current input buffer are held.
 *
 * A chunk that lies inside one input buffer is yielded as a subarray of it (no copy); a chunk
 * spanning buffers is assembled into a new buffer. So when the source reuses its buffers, the
 * caller must consume or copy each chunk before asking for the next one. Cut points are the same
 * as chunkLengths over the concatenated input, however it is split.
 */
export function chunkStream (source: AsyncIterable<Uint8Array>, options?: ChunkerOptions): AsyncGenerator<Uint8Array> {
  // Created here, not in the generator, so that bad options throw at the call.
  return generateChunks(source, createChunker(options))
}

async function * generateChunks (source: AsyncIterable<Uint8Array>, chunker: Chunker): AsyncGenerator<Uint8Array> {
  const maxSize = chunker.maxSize
  // The pending chunk's bytes from earlier buffers, copied since the source may reuse its buffers.
  let carry = NO_BYTES
  let carryLength = 0

  for await (const buf of source) {
    if (!(buf instanceof Uint8Array)) throw new InvalidInputError('chunkStream source must yield Uint8Array buffers')
    const end = buf.length
    let pos = 0
    for (;;) {
      const n = chunker.findCut(buf, pos, end, false)
      if (n < 0) break
      if (carryLength === 0) {
        yield buf.subarray(pos, pos + n)
      } else {
        const chunk = new Uint8Array(carryLength + n)
        chunk.set(carry.subarray(0, carryLength))
        chunk.set(buf.subarray(pos, pos + n), carryLength)
        carryLength = 0
        yield chunk
      }
      pos += n
    }
    if (pos < end) {
      // The chunker consumed buf[pos..end) into its pending chunk, which is shorter than maxSize.
      const needed = carryLength + end - pos
      if (needed > carry.length) {
        // Sized to what it holds first (a small file's whole content), doubling when it grows.
        const grown = new Uint8Array(Math.min(maxSize, Math.max(needed, carry.length * 2)))
        grown.set(carry.subarray(0, carryLength))
        carry = grown
      }
      carry.set(buf.subarray(pos, end), carryLength)
      carryLength = needed
    }
  }
  // The carry is this stream's own and is not written again: the last chunk is a view of it.
  if (chunker.findCut(NO_BYTES, 0, 0, true) === 0) yield carry.subarray(0, carryLength)
}
