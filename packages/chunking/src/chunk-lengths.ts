import { createChunker } from './chunker.js'
import type { ChunkerOptions } from './options.js'

/** Sync: all cut lengths of one in-memory buffer (used by the bench and tests). */
export function chunkLengths (data: Uint8Array, options?: ChunkerOptions): number[] {
  const chunker = createChunker(options)
  const lengths: number[] = []
  const end = data.length
  let pos = 0
  for (;;) {
    const n = chunker.findCut(data, pos, end, true)
    if (n < 0) return lengths
    lengths.push(n)
    pos += n
  }
}
