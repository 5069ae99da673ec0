import type { Stream } from '@libp2p/interface'
import { WRITE_CHUNK_BYTES, WRITE_HIGH_WATER, WRITE_TIMEOUT_MS } from './constants.js'
import { closedError, WriteTimeoutError } from './stream-errors.js'

/**
 * Waits until the stream's write buffer is below WRITE_HIGH_WATER. `send()` returning false and
 * `onDrain()` do not bound memory in v3 (onDrain resolves on any drain of the connection): the
 * bound is on `writeBufferLength`, re-checked after every 'drain', 'idle' or 'close'. Those
 * events also come for every drain of the connection, so the timeout counts from the last time
 * the buffer shrank (the peer took bytes), not from the last event.
 */
async function writable (stream: Stream, signal: AbortSignal | undefined, timeoutMs: number): Promise<void> {
  let buffered = stream.writeBufferLength
  let deadline = Date.now() + timeoutMs
  while (stream.writeBufferLength >= WRITE_HIGH_WATER) {
    if (stream.status !== 'open') throw closedError(undefined, `the stream is ${stream.status}`)
    signal?.throwIfAborted()
    if (stream.writeBufferLength < buffered) deadline = Date.now() + timeoutMs
    buffered = stream.writeBufferLength
    const left = deadline - Date.now()
    if (left <= 0) throw new WriteTimeoutError(`the peer took no data for ${timeoutMs / 1000} s`)
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => { done(); reject(new WriteTimeoutError(`the peer took no data for ${timeoutMs / 1000} s`)) }, left)
      const onEvent = (): void => { done(); resolve() }
      const onAbort = (): void => { done(); reject(signal?.reason) }
      const done = (): void => {
        clearTimeout(timer)
        stream.removeEventListener('drain', onEvent)
        stream.removeEventListener('idle', onEvent)
        stream.removeEventListener('close', onEvent)
        signal?.removeEventListener('abort', onAbort)
      }
      stream.addEventListener('drain', onEvent)
      stream.addEventListener('idle', onEvent)
      stream.addEventListener('close', onEvent)
      signal?.addEventListener('abort', onAbort, { once: true })
    })
    // 'drain' schedules the stream's own send in a microtask queued before ours: let it run.
    await Promise.resolve()
  }
}

/**
 * Sends `bytes` in WRITE_CHUNK_BYTES pieces (views, no copies), never queuing past the bound;
 * throws WriteTimeoutError when the peer takes nothing for `timeoutMs`.
 */
export async function sendBounded (stream: Stream, bytes: Uint8Array, signal?: AbortSignal, timeoutMs = WRITE_TIMEOUT_MS): Promise<void> {
  for (let offset = 0; offset < bytes.byteLength; offset += WRITE_CHUNK_BYTES) {
    await writable(stream, signal, timeoutMs)
    stream.send(bytes.subarray(offset, Math.min(offset + WRITE_CHUNK_BYTES, bytes.byteLength)))
  }
}

/** Closes our writing end once what was queued went out; a reset stream fails. */
export async function closeWrite (stream: Stream, signal?: AbortSignal): Promise<void> {
  const timeout = AbortSignal.timeout(WRITE_TIMEOUT_MS)
  try {
    await stream.close({ signal: signal === undefined ? timeout : AbortSignal.any([signal, timeout]) })
  } catch (err) {
    // close() can reject with a StreamResetEvent, which is not an Error.
    throw closedError(err instanceof Error ? err : undefined, 'the stream was reset while closing')
  }
}
