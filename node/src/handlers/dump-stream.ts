import { setMaxListeners } from 'node:events'
import { IntegrityError } from '@resilien/types'
import { BlobType } from '@resilien/repository'
import type { Repository } from '@resilien/repository'

/**
 * Chunk reads in flight, the one being sent included: reads from other sites overlap the
 * client's writes, and small files do not wait one by one. At most this many chunks (512 KiB
 * each at most) wait here, beside the whole shards the repository's reader caches.
 */
const CHUNKS_IN_FLIGHT = 8
/** Listeners the reads' signal takes: a read from other sites listens once per shard fetch. */
const READ_SIGNAL_LISTENERS = 256
/** Parts queued at most: the headers of many empty files cannot pile up. */
const MAX_QUEUED_PARTS = 256
/** Small writes (headers, small chunks) go out together in frames of about this size. */
const FRAME_BYTES = 64 * 1024

/** What a dump sends, in order: bytes as they are, a file's start, its chunks by id, its end. */
export type DumpPart =
  | { kind: 'bytes', bytes: Buffer }
  /** Where a file's content starts: its chunks must add up to `size`, its path names it if not. */
  | { kind: 'file', path: string, size: number }
  | { kind: 'chunk', id: string }
  | { kind: 'end' }

type Queued = DumpPart & { read?: Promise<Uint8Array> }

/**
 * Coalesces small writes into frames of FRAME_BYTES; a larger write goes out in slices of that
 * size (views: a chunk's plaintext belongs to its read alone), its last piece joining the next
 * frame. The control server writes the bytes themselves, so a frame is never written into again.
 */
class FrameWriter {
  /** A new one after each flush: the frame sent may still wait in the socket's queue. */
  private pending = Buffer.allocUnsafe(FRAME_BYTES)
  private used = 0
  written = 0

  constructor (private readonly send: (bytes: Uint8Array) => Promise<void>) {}

  async write (bytes: Uint8Array): Promise<void> {
    this.written += bytes.byteLength
    if (this.used + bytes.byteLength <= FRAME_BYTES) {
      this.pending.set(bytes, this.used)
      this.used += bytes.byteLength
      if (this.used === FRAME_BYTES) await this.flush()
      return
    }
    await this.flush()
    let from = 0
    while (bytes.byteLength - from >= FRAME_BYTES) {
      await this.send(bytes.subarray(from, from + FRAME_BYTES))
      from += FRAME_BYTES
    }
    this.pending.set(bytes.subarray(from), 0)
    this.used = bytes.byteLength - from
  }

  async flush (): Promise<void> {
    if (this.used === 0) return
    const frame = this.pending.subarray(0, this.used)
    this.pending = Buffer.allocUnsafe(FRAME_BYTES)
    this.used = 0
    await this.send(frame)
  }
}

function sizeMismatch (path: string, chunkBytes: string, size: number): IntegrityError {
  return new IntegrityError(path, `${path} has ${chunkBytes} bytes in its chunks but ${size} in its folder's record: the snapshot is damaged`)
}

/**
 * Sends the parts of a dump as data frames, each chunk read and verified against its id, a few
 * read ahead. A file whose chunks do not add up to its size stops the dump before a byte past
 * its size goes out. On any failure what was written before it is sent, and the reads still in
 * flight are aborted and awaited, so none outlives the request (the repository closes after it).
 * Returns the bytes sent.
 */
export async function streamDumpParts (repo: Repository, parts: AsyncIterable<DumpPart>, send: (bytes: Uint8Array) => Promise<void>, requestSignal: AbortSignal): Promise<number> {
  const stop = new AbortController()
  const signal = AbortSignal.any([requestSignal, stop.signal])
  // Every shard fetch of every read in flight listens on it (the server raises the request's own limit alike).
  setMaxListeners(READ_SIGNAL_LISTENERS, signal)
  const out = new FrameWriter(send)
  const queue: Queued[] = []
  let reading = 0
  let file: { path: string, size: number, sent: number } | undefined
  const emit = async (part: Queued): Promise<void> => {
    switch (part.kind) {
      case 'bytes': return await out.write(part.bytes)
      case 'file':
        file = { path: part.path, size: part.size, sent: 0 }
        return
      case 'chunk': {
        reading--
        const chunk = await (part.read as Promise<Uint8Array>)
        const current = file as NonNullable<typeof file>
        current.sent += chunk.byteLength
        if (current.sent > current.size) throw sizeMismatch(current.path, `more than ${current.size}`, current.size)
        return await out.write(chunk)
      }
      case 'end': {
        const current = file as NonNullable<typeof file>
        if (current.sent !== current.size) throw sizeMismatch(current.path, String(current.sent), current.size)
        file = undefined
      }
    }
  }
  try {
    for await (const part of parts) {
      const queued: Queued = part
      if (part.kind === 'chunk') {
        // A file's chunks lie one after another in its packs: whole shards, read once, serve the next ones.
        queued.read = repo.readBlob(part.id, BlobType.data, { signal, wholeShards: true })
        // Rejections are taken when the chunk's turn comes; until then they must not go unhandled.
        queued.read.catch(() => {})
        reading++
      }
      queue.push(queued)
      while (reading >= CHUNKS_IN_FLIGHT || queue.length > MAX_QUEUED_PARTS) await emit(queue.shift() as Queued)
    }
    while (queue.length > 0) await emit(queue.shift() as Queued)
    await out.flush()
    return out.written
  } catch (err) {
    // What the frame holds is sound (verified, and within its file's size): it goes out, so an
    // archive cut short ends inside the entry that failed, where tar sees it, not at an entry's
    // end, where an archive without its end blocks passes for whole (GNU tar lists it, exit 0).
    if (!requestSignal.aborted) await out.flush().catch(() => {})
    throw err
  } finally {
    if (queue.length > 0) {
      stop.abort(new Error('the dump stopped'))
      await Promise.allSettled(queue.flatMap((q) => q.read === undefined ? [] : [q.read]))
    }
  }
}
