import { open } from 'node:fs/promises'
import type { FileHandle } from 'node:fs/promises'
import { CorruptShardError } from '@resilien/types'
import type { ShardId } from '@resilien/types'

/** The shard file open for reading, or undefined when there is none. */
export async function openIfExists (path: string): Promise<FileHandle | undefined> {
  try {
    return await open(path, 'r')
  } catch (error) {
    if ((error as { code?: unknown }).code === 'ENOENT') return undefined
    throw error
  }
}

/**
 * Reads bytes [start, end) of a shard file that the index says has `size` bytes. Resolves
 * undefined when the file does not exist (the caller decides whether that is corruption or a
 * concurrent delete). A file of another length, or a short read, is CorruptShardError: the
 * length is part of what the id covers, so a read of an intact region of a truncated or
 * extended file fails too.
 */
export async function readShardFile (path: string, id: ShardId, size: number, start: number, end: number): Promise<Uint8Array | undefined> {
  const handle = await openIfExists(path)
  if (handle === undefined) return undefined
  try {
    const { size: actual } = await handle.stat()
    if (actual !== size) {
      throw new CorruptShardError(id, `shard ${id} has ${actual} bytes on disk where its index entry says ${size}`)
    }
    const length = end - start
    const bytes = new Uint8Array(length)
    let filled = 0
    while (filled < length) {
      const { bytesRead } = await handle.read(bytes, filled, length - filled, start + filled)
      if (bytesRead === 0) throw new CorruptShardError(id, `shard ${id} ended early: read ${filled} of ${length} bytes at ${start}`)
      filled += bytesRead
    }
    return bytes
  } finally {
    await handle.close()
  }
}
