import { isMainThread } from 'node:worker_threads'

/**
 * Large buffers a job drops (shards after their copy, parity after its put) are freed only when
 * V8 collects the small objects that own them, and a thread that allocates few JS objects
 * collects rarely: V8 then waits until about 64 MiB of such memory is dead. Where the process
 * runs with `--expose-gc` (the `resilien` command's `#!` line), a young-generation collection,
 * about a millisecond with a 2 MiB semi-space, is run every few megabytes dropped instead.
 * Without the flag this does nothing, and memory is only higher.
 */
const MAIN_THREAD_STEP_BYTES = 16 * 1024 * 1024
/**
 * A worker's heap is a few MiB with next to nothing alive in its young generation, so its young
 * collection costs a fraction of a millisecond: it can afford one every few megabytes. Its
 * dropped bytes are mostly the cipher's and the compressor's output copies, one per chunk.
 */
const WORKER_STEP_BYTES = 4 * 1024 * 1024
const COLLECT_EVERY_BYTES = isMainThread ? MAIN_THREAD_STEP_BYTES : WORKER_STEP_BYTES

const collect = (globalThis as { gc?: (options?: { type: 'minor' }) => void }).gc
let dropped = 0

/** `bytes` of large buffers were just dropped (nothing references them any more). */
export function noteDroppedBytes (bytes: number): void {
  if (collect === undefined) return
  dropped += bytes
  if (dropped >= COLLECT_EVERY_BYTES) collectDroppedBytes()
}

/**
 * A job that just dropped a large amount at once (a pack repacked: its shards, frames and
 * plaintexts) collects the young generation now rather than when the running count says so.
 */
export function collectDroppedBytes (): void {
  if (collect === undefined) return
  dropped = 0
  collect({ type: 'minor' })
}

/**
 * A full collection of this thread's heap, for a thread that just went idle after a job: what
 * the job left (promoted buffers, the old generation that V8 lets grow to twice its live size)
 * is returned now, not when the next job's growth makes V8 collect. A few tens of milliseconds
 * on a node's heap. Without `--expose-gc` this does nothing. (`gc()` without options: on Node
 * 20, `gc({ type: 'major' })` left the dead buffers' memory allocated, measured.)
 */
export function collectAll (): void {
  if (collect === undefined) return
  dropped = 0
  collect()
}

/** Buffers below this are not worth detaching (Node's pooled slices are far smaller). */
const RELEASE_MIN_BYTES = 64 * 1024

/**
 * Hands the memory of large buffers that the caller owns to new owners that die young, so the
 * next young-generation collection frees it. Without this, a buffer held across a few awaits
 * (a shard while its pack is copied) has been promoted, and its memory waits for V8's next full
 * collection. Each buffer is detached: it and every view of it are empty from then on, so only a
 * buffer that no one else holds may be released.
 */
export function releaseBuffers (buffers: Iterable<Uint8Array>): void {
  const seen = new Set<ArrayBufferLike>()
  for (const bytes of buffers) {
    const buffer = bytes.buffer
    if (!(buffer instanceof ArrayBuffer) || buffer.byteLength < RELEASE_MIN_BYTES || seen.has(buffer)) continue
    seen.add(buffer)
    try {
      structuredClone(buffer, { transfer: [buffer] })
    } catch {
      // A buffer that cannot be detached (one Node or an addon owns) is left to the collector.
    }
  }
}
