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
