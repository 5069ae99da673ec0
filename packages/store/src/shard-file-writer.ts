import { rm } from 'node:fs/promises'
import { createHasher } from '@resilien/hashing'
import { BlockDigester } from './block-digests.js'
import type { DirectWrites, ShardFileSink } from './direct-writes.js'
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

/** Where a store's shard files go: its root (for the free-space figure of an error) and how it writes. */
export interface ShardFileTarget {
  root: string
  writes: DirectWrites
}

/**
 * Creates `path`, lets `fill` write it, and fsyncs it. On any failure the file is closed and
 * removed before the error goes on; ENOSPC and EDQUOT become DiskFullError.
 */
async function writeNewFile<T> (path: string, target: ShardFileTarget, size: number, fill: (sink: ShardFileSink) => Promise<T>): Promise<T> {
  const { root } = target
  let sink: ShardFileSink | undefined
  try {
    sink = await target.writes.create(path, FILE_MODE)
    const result = await fill(sink)
    await sink.finish()
    return result
  } catch (error) {
    await sink?.abandon().catch(() => {})
    await rm(path, { force: true })
    if (isOutOfSpace(error)) throw await outOfSpaceError(root, size, error)
    throw error
  }
}

/** Writes verified bytes to a new file and fsyncs it. */
export async function writeShardFile (path: string, target: ShardFileTarget, data: Uint8Array): Promise<void> {
  await writeNewFile(path, target, data.byteLength, async (sink) => { await sink.write(data) })
}

/**
 * Writes a stream of exactly `size` bytes to a new file, hashing it (whole and per block) as it
 * passes, and fsyncs it. The caller compares the digest with the id.
 */
export async function writeShardStream (
  path: string,
  target: ShardFileTarget,
  stream: AsyncIterable<Uint8Array>,
  size: number,
  blockSize: number,
  signal?: AbortSignal
): Promise<StreamedShard> {
  return await writeNewFile(path, target, size, async (sink) => {
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
        await sink.write(pending.subarray(0, filled))
        filled = 0
      }
      if (chunk.byteLength >= pending.byteLength) {
        await sink.write(chunk)
      } else {
        pending.set(chunk, filled)
        filled += chunk.byteLength
      }
    }
    checkStreamEnd(received, size)
    if (filled > 0) await sink.write(pending.subarray(0, filled))
    return { digest: hasher.digest(), blockDigests: blocks.finish() }
  })
}
