import { open, rm } from 'node:fs/promises'
import type { FileHandle } from 'node:fs/promises'
import { createHasher } from '@resilien/hashing'
import { BlockDigester } from './block-digests.js'
import { isOutOfSpace, outOfSpaceError } from './disk-space.js'
import { checkStreamChunk, checkStreamEnd } from './validate.js'

/** Temp files are private to the site: shards are ciphertext, but there is no reason to share them. */
const FILE_MODE = 0o600
/**
 * A streamed shard arrives in network-sized pieces (16-64 KiB); they are gathered into writes of
 * up to this size. One write per piece cost the receiving site more main-thread time than
 * hashing and decrypting the same bytes (a thread-pool round trip each).
 */
const STREAM_WRITE_BYTES = 1024 * 1024

export interface StreamedShard {
  /** BLAKE3 of the bytes written, for comparison with the id. */
  digest: Uint8Array
  blockDigests: Uint8Array
}

async function writeAll (handle: FileHandle, bytes: Uint8Array): Promise<void> {
  for (let offset = 0; offset < bytes.byteLength;) {
    const { bytesWritten } = await handle.write(bytes, offset, bytes.byteLength - offset)
    offset += bytesWritten
  }
}

/**
 * Creates `path`, lets `fill` write it, and fsyncs it. On any failure the file is closed and
 * removed before the error goes on; ENOSPC and EDQUOT become DiskFullError.
 */
async function writeNewFile<T> (path: string, root: string, size: number, fill: (handle: FileHandle) => Promise<T>): Promise<T> {
  let handle: FileHandle | undefined
  try {
    handle = await open(path, 'wx', FILE_MODE)
    const result = await fill(handle)
    await handle.sync()
    await handle.close()
    handle = undefined
    return result
  } catch (error) {
    await handle?.close().catch(() => {})
    await rm(path, { force: true })
    if (isOutOfSpace(error)) throw await outOfSpaceError(root, size, error)
    throw error
  }
}

/** Writes verified bytes to a new file and fsyncs it. */
export async function writeShardFile (path: string, root: string, data: Uint8Array): Promise<void> {
  await writeNewFile(path, root, data.byteLength, async (handle) => { await writeAll(handle, data) })
}

/**
 * Writes a stream of exactly `size` bytes to a new file, hashing it (whole and per block) as it
 * passes, and fsyncs it. The caller compares the digest with the id.
 */
export async function writeShardStream (
  path: string,
  root: string,
  stream: AsyncIterable<Uint8Array>,
  size: number,
  blockSize: number,
  signal?: AbortSignal
): Promise<StreamedShard> {
  return await writeNewFile(path, root, size, async (handle) => {
    // A shard id is 32 bytes: promising no longer digest lets the native BLAKE3 stream the body.
    const hasher = createHasher({ maxOutLength: 32 })
    const blocks = new BlockDigester(size, blockSize)
    const pending = Buffer.allocUnsafe(Math.min(size, STREAM_WRITE_BYTES))
    let filled = 0
    let received = 0
    for await (const chunk of stream) {
      signal?.throwIfAborted()
      checkStreamChunk(chunk, received, size)
      hasher.update(chunk)
      blocks.update(chunk)
      received += chunk.byteLength
      if (filled + chunk.byteLength > pending.byteLength) {
        await writeAll(handle, pending.subarray(0, filled))
        filled = 0
      }
      if (chunk.byteLength >= pending.byteLength) {
        await writeAll(handle, chunk)
      } else {
        pending.set(chunk, filled)
        filled += chunk.byteLength
      }
    }
    checkStreamEnd(received, size)
    if (filled > 0) await writeAll(handle, pending.subarray(0, filled))
    return { digest: hasher.digest(), blockDigests: blocks.finish() }
  })
}
