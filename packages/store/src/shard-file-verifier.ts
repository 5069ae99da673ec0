import { createHasher } from '@resilien/hashing'
import { fromHex } from '@resilien/types'
import type { ShardId } from '@resilien/types'
import { blocksMatch, sameDigest } from './block-digests.js'
import type { BlockRecord } from './index-records.js'
import { openIfExists } from './shard-file-reader.js'

/** Bytes read per step of a verify (rounded down to whole blocks, at least one). */
export const VERIFY_READ_BYTES = 256 * 1024

/**
 * Re-hashes a shard file without holding it whole: pieces of whole blocks are read into one
 * buffer the caller may reuse, each checked against its block digests, and all of them streamed
 * into the shard id's hash. The scrub reads every shard this way at its pace, so a 2 MiB
 * allocation per shard would be steady garbage on a node that is otherwise idle.
 * Resolves undefined when the file does not exist, false when it is corrupt (length, a block, or
 * the whole), true when it is intact.
 */
export async function verifyShardFile (path: string, id: ShardId, record: BlockRecord, buffer?: Uint8Array): Promise<boolean | undefined> {
  const handle = await openIfExists(path)
  if (handle === undefined) return undefined
  try {
    const { size: actual } = await handle.stat()
    if (actual !== record.size) return false
    // Pieces of whole blocks keep every piece aligned to the block digests.
    const step = Math.max(1, Math.floor(VERIFY_READ_BYTES / record.blockSize)) * record.blockSize
    const piece = buffer !== undefined && buffer.byteLength >= step ? buffer : new Uint8Array(Math.min(step, record.size))
    const hasher = createHasher({ maxOutLength: 32 })
    for (let start = 0; start < record.size;) {
      const want = Math.min(step, record.size - start)
      let filled = 0
      while (filled < want) {
        const { bytesRead } = await handle.read(piece, filled, want - filled, start + filled)
        if (bytesRead === 0) return false
        filled += bytesRead
      }
      const bytes = piece.subarray(0, want)
      if (!blocksMatch(bytes, start / record.blockSize, record)) return false
      hasher.update(bytes)
      start += want
    }
    return sameDigest(hasher.digest(), fromHex(id))
  } finally {
    await handle.close()
  }
}
