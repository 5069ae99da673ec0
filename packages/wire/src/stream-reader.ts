import type { Stream, StreamCloseEvent, StreamMessageEvent } from '@libp2p/interface'
import { READ_HIGH_WATER, READ_TIMEOUT_MS } from './constants.js'
import { closedError, CutShortError, TimeoutError } from './stream-errors.js'

export interface StreamReaderOptions {
  /** Unread bytes at which the stream is paused; it resumes below half. */
  highWater?: number
  /** A read fails after this long without a byte. */
  timeoutMs?: number
}

/**
 * Reads a libp2p v3 stream with backpressure. v3 streams push 'message' events; `for await`
 * over them grants window as data arrives and lets a slow consumer pile up hundreds of MB.
 * Here chunks queue until read; past `highWater` the stream is paused (yamux stops granting
 * window) and resumed once the consumer drained half of it. The listener is attached at once:
 * a stream without one buffers until it is reset.
 */
export class StreamReader {
  readonly #stream: Stream
  readonly #highWater: number
  readonly #timeoutMs: number
  #extraWaitMs = 0
  readonly #chunks: Uint8Array[] = []
  #buffered = 0
  #ended = false
  #error: Error | undefined
  #pausePending = false
  readonly #waiters = new Set<() => void>()

  constructor (stream: Stream, options: StreamReaderOptions = {}) {
    this.#stream = stream
    this.#highWater = options.highWater ?? READ_HIGH_WATER
    this.#timeoutMs = options.timeoutMs ?? READ_TIMEOUT_MS
    stream.addEventListener('message', this.#onMessage)
    stream.addEventListener('end', this.#onEnd)
    stream.addEventListener('close', this.#onClose)
    if (stream.readableEnded) this.#ended = true
  }

  /** Bytes received and not read yet. */
  get buffered (): number {
    return this.#buffered
  }

  readonly #onMessage = (event: StreamMessageEvent): void => {
    const data = event.data
    if (data instanceof Uint8Array) this.#append(data)
    else for (const buf of data) this.#append(buf)
    if (this.#buffered >= this.#highWater && !this.#pausePending) {
      // A pause inside resume()'s own dispatch would be undone by it: pause in a microtask.
      this.#pausePending = true
      queueMicrotask(() => {
        this.#pausePending = false
        if (this.#buffered >= this.#highWater && this.#stream.readStatus === 'readable') this.#stream.pause()
      })
    }
    this.#notify()
  }

  readonly #onEnd = (): void => {
    this.#ended = true
    this.#notify()
  }

  readonly #onClose = (event: StreamCloseEvent): void => {
    if (event.error !== undefined) this.#error ??= closedError(event.error)
    // A clean close with bytes still held by a paused stream is not the end: 'end' follows them.
    else if (this.#stream.readBufferLength === 0) this.#ended = true
    this.#notify()
  }

  #append (chunk: Uint8Array): void {
    if (chunk.byteLength === 0) return
    this.#chunks.push(chunk)
    this.#buffered += chunk.byteLength
  }

  #notify (): void {
    for (const wake of [...this.#waiters]) wake()
  }

  /** Resolves once a byte is queued, the stream ended, or failed; rejects on timeout or abort. */
  async #waitForData (signal: AbortSignal | undefined): Promise<void> {
    while (this.#buffered === 0) {
      if (this.#error !== undefined) throw this.#error
      if (this.#ended) return
      this.#resumeIfDrained()
      if (this.#buffered > 0) return
      signal?.throwIfAborted()
      await new Promise<void>((resolve, reject) => {
        const waitMs = this.#timeoutMs + this.#extraWaitMs
        const timer = setTimeout(() => { done(); reject(new TimeoutError(`no data from the peer for ${waitMs / 1000} s`)) }, waitMs)
        const onAbort = (): void => { done(); reject(signal?.reason) }
        const wake = (): void => { done(); resolve() }
        const done = (): void => {
          clearTimeout(timer)
          signal?.removeEventListener('abort', onAbort)
          this.#waiters.delete(wake)
        }
        this.#waiters.add(wake)
        signal?.addEventListener('abort', onAbort, { once: true })
      })
    }
  }

  /**
   * From now on a read waits `extraMs` longer for a byte than the stream's timeout (0: back to
   * the timeout; a wait in progress starts its timer again). For an answer that comes only after
   * a body we sent has crossed a slow link.
   */
  setExtraWait (extraMs: number): void {
    this.#extraWaitMs = Math.max(0, Math.ceil(extraMs))
    this.#notify()
  }

  #resumeIfDrained (): void {
    if (this.#buffered < this.#highWater / 2 && this.#stream.readStatus === 'paused') this.#stream.resume()
  }

  /** Takes up to `max` bytes from the first queued chunk (no copy). */
  #take (max: number): Uint8Array {
    const first = this.#chunks[0] as Uint8Array
    let out: Uint8Array
    if (first.byteLength <= max) {
      this.#chunks.shift()
      out = first
    } else {
      out = first.subarray(0, max)
      this.#chunks[0] = first.subarray(max)
    }
    this.#buffered -= out.byteLength
    this.#resumeIfDrained()
    return out
  }

  /** Up to `max` bytes (at least one), or undefined when the remote closed its end. */
  async readSome (max: number, signal?: AbortSignal): Promise<Uint8Array | undefined> {
    await this.#waitForData(signal)
    if (this.#buffered === 0) return undefined
    return this.#take(max)
  }

  /** Exactly `length` bytes; throws if the stream ends first. */
  async readExactly (length: number, signal?: AbortSignal): Promise<Uint8Array> {
    await this.#waitForData(signal)
    const first = this.#chunks[0]
    if (first !== undefined && first.byteLength >= length) return this.#take(length)
    const out = new Uint8Array(length)
    await this.readInto(out, signal)
    return out
  }

  /** Fills `target` from the stream; throws if the stream ends first. */
  async readInto (target: Uint8Array, signal?: AbortSignal): Promise<void> {
    let filled = 0
    while (filled < target.byteLength) {
      const chunk = await this.readSome(target.byteLength - filled, signal)
      if (chunk === undefined) throw new CutShortError(`the stream ended after ${filled} of ${target.byteLength} bytes`)
      target.set(chunk, filled)
      filled += chunk.byteLength
    }
  }

  /** True when the remote closed its end with nothing more queued; false if more bytes came. */
  async atEnd (signal?: AbortSignal): Promise<boolean> {
    await this.#waitForData(signal)
    return this.#buffered === 0
  }

  /** Detaches from the stream; later data is left to the stream (which is closed or reset by then). */
  release (): void {
    this.#stream.removeEventListener('message', this.#onMessage)
    this.#stream.removeEventListener('end', this.#onEnd)
    this.#stream.removeEventListener('close', this.#onClose)
    this.#chunks.length = 0
    this.#buffered = 0
  }
}
