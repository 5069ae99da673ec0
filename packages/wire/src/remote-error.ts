import { CorruptShardError, DiskFullError, InvalidInputError, RejectedEntryError, ResilienError } from '@resilien/types'
import { literal, onlyKeys, optionalText, text } from './checks.js'
import { LIMITS } from './constants.js'
import { expectHeader, MalformedError } from './frames.js'
import type { Header } from './frames.js'
import type { StreamReader } from './stream-reader.js'
import { CutShortError, TimeoutError } from './stream-errors.js'

/** Codes a server answers with; a client accepts any short code (a newer peer may add some). */
export type RemoteErrorCode =
  | 'not-member' | 'malformed' | 'corrupt' | 'refused' | 'disk-full' | 'rejected' | 'timeout' | 'internal'

/** Codes after which the same request to the same peer cannot succeed. */
const PERMANENT_CODES: ReadonlySet<string> = new Set(['not-member', 'malformed', 'corrupt', 'refused'])
/** Catalog refusals that clear up once the missing entries or the author's key arrive. */
const TRANSIENT_REASONS: ReadonlySet<string> = new Set(['gap', 'unknown-site'])

const CODE_LENGTH = 32

/**
 * A remote error, carried back as one line; `code` is e.g. 'not-member', 'malformed',
 * 'corrupt', 'refused', 'disk-full'. `reason` details a 'rejected' catalog batch (the
 * RejectedEntryError reason on the peer: 'gap', 'unknown-site', 'bad-signature', ...).
 */
export class RemoteError extends ResilienError {
  readonly code: string
  readonly reason: string | undefined
  /** The peer's own line, without the code in front. */
  readonly detail: string

  constructor (code: string, message: string, reason?: string) {
    const permanent = PERMANENT_CODES.has(code) || (code === 'rejected' && !TRANSIENT_REASONS.has(reason ?? ''))
    super(`peer answered ${code}${reason === undefined ? '' : ` (${reason})`}: ${message}`, { permanent })
    this.name = 'RemoteError'
    this.code = code
    this.reason = reason
    this.detail = message
  }
}

/** One line, bounded: what crosses the wire and the log. */
export function oneLine (message: string): string {
  const line = message.replace(/\s+/g, ' ').trim()
  return line.length > LIMITS.message ? `${line.slice(0, LIMITS.message - 3)}...` : line
}

/** Marks an error whose message may go back to the peer as is (join refusals). */
export class RefusedError extends ResilienError {
  constructor (message: string, options: { cause?: unknown } = {}) {
    super(message, options)
    this.name = 'RefusedError'
  }
}

export class NotMemberError extends ResilienError {
  constructor (peer: string) {
    super(`${peer} is not a member of this cluster`)
    this.name = 'NotMemberError'
  }
}

/** The error frame a server sends for `err`. Unexpected errors say only their name. */
export function errorFrame (err: unknown): Header {
  const message = err instanceof Error ? oneLine(err.message) : 'unknown error'
  if (err instanceof NotMemberError) return { ok: false, code: 'not-member', message }
  if (err instanceof MalformedError || err instanceof InvalidInputError || err instanceof CutShortError) return { ok: false, code: 'malformed', message }
  if (err instanceof CorruptShardError) return { ok: false, code: 'corrupt', message }
  if (err instanceof DiskFullError) return { ok: false, code: 'disk-full', message }
  if (err instanceof RejectedEntryError) return { ok: false, code: 'rejected', message, reason: err.reason }
  if (err instanceof RefusedError) return { ok: false, code: 'refused', message }
  if (err instanceof TimeoutError) return { ok: false, code: 'timeout', message }
  return { ok: false, code: 'internal', message: `internal error (${err instanceof Error ? err.name : typeof err})` }
}

/**
 * Reads a response header: `{ ok: true, ... }` is returned, `{ ok: false, code, message }`
 * becomes a thrown RemoteError.
 */
export async function readResponse (reader: StreamReader, signal?: AbortSignal): Promise<Header> {
  const header = await expectHeader(reader, signal)
  if (header.ok === true) return header
  if (header.ok !== false) throw new MalformedError('a response without "ok"')
  onlyKeys(header, ['ok', 'code', 'message', 'reason'])
  const code = text(header.code, 'code', CODE_LENGTH, 1)
  const message = text(header.message, 'message', LIMITS.message)
  const reason = optionalText(header.reason, 'reason', CODE_LENGTH)
  throw new RemoteError(code, message, reason)
}

/** Narrows the op of a request header. */
export function opOf<T extends string> (header: Header, ops: readonly T[]): T {
  return literal(header.op, 'op', ops)
}
