import { constants } from 'node:fs'
import { open } from 'node:fs/promises'
import type { FileHandle } from 'node:fs/promises'
import { createHasher } from '@resilien/hashing'
import { fromHex } from '@resilien/types'
import type { ShardId } from '@resilien/types'
import { alignUp, DIRECT_ALIGNMENT, refusedDirect } from './aligned-memory.js'
import { blocksMatch, sameDigest } from './block-digests.js'
import type { BlockRecord } from './index-records.js'
import { openIfExists } from './shard-file-reader.js'

/** Bytes read per step of a verify (rounded down to whole blocks, at least one). */
export const VERIFY_READ_BYTES = 256 * 1024

/** How a verify reads: `direct` with O_DIRECT into a page-aligned buffer (aligned-memory.ts). */
export interface VerifyReads {
  buffer?: Uint8Array
  direct?: boolean
}

/** The open file of a verify; a direct one turns into a cached one if the file system balks. */
interface VerifyFile {
  handle: FileHandle
  direct: boolean
}

async function openForVerify (path: string, direct: boolean): Promise<VerifyFile | undefined> {
  if (direct) {
    try {
      return { handle: await open(path, constants.O_RDONLY | constants.O_DIRECT), direct: true }
    } catch (error) {
      if ((error as { code?: unknown }).code === 'ENOENT') return undefined
      if (!refusedDirect(error)) throw error
    }
  }
  const handle = await openIfExists(path)
  return handle === undefined ? undefined : { handle, direct: false }
}

/**
 * Reads `want` bytes at `position` into the start of `piece`; false on a short file. A direct
 * read asks for whole aligned blocks (the end of the file returns less); if the file system
 * refuses it, or returns an unaligned part before the end, the rest is read through the cache.
 */
async function readPiece (file: VerifyFile, path: string, piece: Uint8Array, want: number, position: number): Promise<boolean> {
  let filled = 0
  while (filled < want) {
    let bytesRead: number
    try {
      const length = file.direct ? alignUp(want) - filled : want - filled
      bytesRead = (await file.handle.read(piece, filled, length, position + filled)).bytesRead
    } catch (error) {
      if (!file.direct || !refusedDirect(error)) throw error
      await file.handle.close()
      file.handle = await open(path, 'r')
      file.direct = false
      continue
    }
    if (bytesRead === 0) return false
    filled += bytesRead
    if (file.direct && filled < want && filled % DIRECT_ALIGNMENT !== 0) {
      await file.handle.close()
      file.handle = await open(path, 'r')
      file.direct = false
    }
  }
  return true
}

/**
 * Re-hashes a shard file without holding it whole: pieces of whole blocks are read into one
 * buffer the caller may reuse, each checked against its block digests, and all of them streamed
 * into the shard id's hash. The scrub reads every shard this way at its pace, so a 2 MiB
 * allocation per shard would be steady garbage on a node that is otherwise idle. With `direct`
 * and an aligned buffer the reads go past the page cache: the scrub checks the bytes on the disk,
 * not a cached copy, and reading every shard does not evict what the site's services use.
 * Resolves undefined when the file does not exist, false when it is corrupt (length, a block, or
 * the whole), true when it is intact.
 */
export async function verifyShardFile (path: string, id: ShardId, record: BlockRecord, reads: VerifyReads = {}): Promise<boolean | undefined> {
  // Pieces of whole blocks keep every piece aligned to the block digests.
  const step = Math.max(1, Math.floor(VERIFY_READ_BYTES / record.blockSize)) * record.blockSize
  const { buffer } = reads
  const piece = buffer !== undefined && buffer.byteLength >= step ? buffer : new Uint8Array(Math.min(step, record.size))
  // Direct reads need a piece that holds a whole aligned read, at aligned offsets.
  const direct = reads.direct === true && piece === buffer && step % DIRECT_ALIGNMENT === 0 && piece.byteLength >= alignUp(step)
  const file = await openForVerify(path, direct)
  if (file === undefined) return undefined
  try {
    const { size: actual } = await file.handle.stat()
    if (actual !== record.size) return false
    const hasher = createHasher({ maxOutLength: 32 })
    for (let start = 0; start < record.size;) {
      const want = Math.min(step, record.size - start)
      if (!await readPiece(file, path, piece, want, start)) return false
      const bytes = piece.subarray(0, want)
      if (!blocksMatch(bytes, start / record.blockSize, record)) return false
      hasher.update(bytes)
      start += want
    }
    return sameDigest(hasher.digest(), fromHex(id))
  } finally {
    await file.handle.close()
  }
}
