import { LENGTH_BYTES, MAX_HEADER_BYTES } from './frames.js'

/** What the node did with one stream. */
export type Outcome =
  /** Its last frame was `{ok: true, ...}`. */
  | 'answer'
  /** It sent an error frame `{ok: false, code, message}`. */
  | 'error'
  /** It closed the stream without a frame. */
  | 'close'
  /** It reset the stream without a frame. */
  | 'reset'
  /** The fuzzer reset the stream itself (the case's ending). */
  | 'aborted'
  /** The stream could not be opened (e.g. past the node's streams per connection). */
  | 'open-failed'
  /** Nothing ended the stream within the case's time after the request was complete: a defect. */
  | 'hang'
  /** The node's bytes are not frames: a defect. */
  | 'garbage'

export const OUTCOMES: readonly Outcome[] = ['answer', 'error', 'close', 'reset', 'aborted', 'open-failed', 'hang', 'garbage']

export interface StreamResult {
  outcome: Outcome
  /** The error frame's code and message, for 'error'. */
  code?: string
  message?: string
  /** For 'garbage', 'hang' and 'open-failed': what was seen. */
  detail?: string
}

export type StreamEnd = 'closed' | 'reset' | 'timed-out'

const decoder = new TextDecoder('utf-8', { fatal: true })

/**
 * Reads the node's bytes as frames: a header (4-byte length, 2 B to 64 KiB of JSON with a
 * boolean `ok`), then as many raw bytes as the header announces (`bytes`, or `size` of a get
 * that found its shard). A reset may cut the last frame short; a clean end may not.
 */
export function classify (bytes: Uint8Array, end: StreamEnd): StreamResult {
  let at = 0
  let last: Record<string, unknown> | undefined
  let error: Record<string, unknown> | undefined
  while (at < bytes.byteLength) {
    if (bytes.byteLength - at < LENGTH_BYTES) break
    const length = new DataView(bytes.buffer, bytes.byteOffset + at).getUint32(0)
    if (length < 2 || length > MAX_HEADER_BYTES) return { outcome: 'garbage', detail: `a frame length of ${length}` }
    if (bytes.byteLength - at - LENGTH_BYTES < length) break
    let header: unknown
    try {
      header = JSON.parse(decoder.decode(bytes.subarray(at + LENGTH_BYTES, at + LENGTH_BYTES + length)))
    } catch {
      return { outcome: 'garbage', detail: 'a header that is not UTF-8 JSON' }
    }
    if (typeof header !== 'object' || header === null || Array.isArray(header) || typeof (header as { ok?: unknown }).ok !== 'boolean') {
      return { outcome: 'garbage', detail: `a header without ok: ${JSON.stringify(header).slice(0, 200)}` }
    }
    const h = header as Record<string, unknown>
    at += LENGTH_BYTES + length
    if (h.ok === false) error = h
    last = h
    if (typeof h.bytes === 'number') at += h.bytes
    else if (h.found === true && typeof h.size === 'number') at += h.size
  }
  if (at < bytes.byteLength && end === 'closed') return { outcome: 'garbage', detail: `${bytes.byteLength - at} bytes that are no whole frame before a clean end` }
  if (at > bytes.byteLength && end === 'closed') return { outcome: 'garbage', detail: 'a clean end inside an announced body' }
  // Whatever came first, a stream the node neither ended nor reset in time is left open.
  if (end === 'timed-out') return { outcome: 'hang', detail: last === undefined ? `${bytes.byteLength} bytes, no whole frame` : `last frame ${JSON.stringify(last).slice(0, 200)}` }
  if (error !== undefined) return { outcome: 'error', code: String(error.code), message: String(error.message) }
  if (last !== undefined) return { outcome: 'answer' }
  return { outcome: end === 'closed' ? 'close' : 'reset' }
}
