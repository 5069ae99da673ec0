import { ResilienError } from '@resilien/types'

/** The peer sent nothing (or took nothing) for too long; a retry may find it well again. */
export class TimeoutError extends ResilienError {
  constructor (message: string) {
    super(message, { permanent: false })
    this.name = 'TimeoutError'
  }
}

/**
 * The peer took none of our bytes for too long: nothing more we send reaches it. An error frame
 * would only queue behind what it did not take (inside a body, for a peer that reads again).
 * Its name stays 'TimeoutError': the class only tells a writer's timeout from a reader's.
 */
export class WriteTimeoutError extends TimeoutError {}

/**
 * The peer closed its end in the middle of a message (a header or body it had announced): it
 * broke the protocol, so a server answers 'malformed'. A reset is not this: that is closedError.
 */
export class CutShortError extends ResilienError {
  constructor (message: string) {
    super(`malformed message: ${message}`, { permanent: false })
    this.name = 'CutShortError'
  }
}

/** The stream was reset, aborted or ended early; the connection may still be fine. */
export function closedError (cause: unknown, message = 'the stream was closed before the exchange finished'): ResilienError {
  const detail = cause instanceof Error ? `: ${cause.message}` : ''
  return new ResilienError(`${message}${detail}`, { permanent: false, ...(cause === undefined ? {} : { cause }) })
}

/** libp2p's errors for a stream whose peer went away while it was negotiated. */
const PEER_CLOSED_WHILE_OPENING = new Set(['UnexpectedEOFError', 'StreamResetError', 'StreamClosedError', 'ConnectionClosedError'])

/**
 * What opening a stream throws for libp2p's rejection `err`. When the peer drops the connection
 * while the stream opens (a gater that refuses us), libp2p rejects with the stream's close
 * event (no Error: it would print as "[object Event]") or, if the drop lands during protocol
 * negotiation, with an end-of-stream or reset error; which one is a race (seen both ways in one
 * test). Both become the same closedError. Any other Error, and an Error after an abort (the
 * abort is why), is thrown as it is.
 */
export function openStreamError (err: unknown, protocol: string, aborted: boolean): unknown {
  if (err instanceof Error && (aborted || !PEER_CLOSED_WHILE_OPENING.has(err.name))) return err
  const cause = err instanceof Error ? err : (err as { error?: unknown } | undefined)?.error
  return closedError(cause, `the peer closed the connection before a ${protocol} stream opened`)
}
