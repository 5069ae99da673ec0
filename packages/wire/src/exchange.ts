import type { Stream } from '@libp2p/interface'
import { SLOWEST_UPLINK_BYTES_PER_S } from './constants.js'
import { internals } from './host.js'
import type { SiteHost } from './host.js'
import { expectHeader, MalformedError, sendHeader } from './frames.js'
import type { Header } from './frames.js'
import { errorFrame, NotMemberError, oneLine, readResponse, RemoteError } from './remote-error.js'
import { closedError, WriteTimeoutError } from './stream-errors.js'
import { StreamReader } from './stream-reader.js'
import { closeWrite, sendBounded } from './stream-writer.js'

/** What a server handler gets for one inbound stream. */
export interface ServerExchange {
  stream: Stream
  reader: StreamReader
  /** The Noise-authenticated remote peer. */
  peer: string
  /** The request's header frame (its fields are for the handler to check). */
  header: Header
}

export interface ServeOptions {
  protocol: string
  maxInboundStreams: number
  /** Absent: anyone the gater let in may use the protocol (join). */
  isMember?: (peerId: string) => boolean
  log?: (line: string) => void
}

function defaultLog (line: string): void {
  console.error(line)
}

/** Aborting a stream that is already done is a no-op; aborting needs an Error. */
function reset (stream: Stream, err: unknown): void {
  stream.abort(err instanceof Error ? err : new Error(String(err)))
}

/**
 * Serves one request per inbound stream. The handler answers; then our end is closed and the
 * client's end must close with nothing more (trailing bytes break the protocol). Any failure
 * sends one error frame when the stream can still carry it (not after a write timeout), resets
 * the stream and logs one line; the connection and its other streams are untouched. The stream is always closed or
 * reset here: an unclosed stream counts against the protocol's inbound limit.
 */
export function serve (host: SiteHost, options: ServeOptions, handler: (exchange: ServerExchange) => Promise<void>): void {
  const hostInternals = internals(host)
  const log = options.log ?? defaultLog
  hostInternals.handle(options.protocol, async (stream, connection) => {
    const peer = connection.remotePeer.toString()
    const reader = new StreamReader(stream)
    try {
      // The header is read before anything is answered, also to a non-member: the client
      // writes it once protocol negotiation is over, so an answer never races the negotiation.
      const header = await expectHeader(reader)
      if (options.isMember !== undefined && !options.isMember(peer)) throw new NotMemberError(peer)
      await handler({ stream, reader, peer, header })
      await closeWrite(stream)
      if (!await reader.atEnd()) throw new MalformedError('bytes after the end of the request')
    } catch (err) {
      const frame = errorFrame(err)
      log(`resilien wire: ${options.protocol} from ${peer}: ${String(frame.code)}: ${oneLine(err instanceof Error ? err.message : String(err))}`)
      // After a write that timed out the peer reads nothing: the frame would wait behind the
      // body it did not take (holding the stream for another write timeout) and end up inside it.
      if (stream.status === 'open' && stream.writeStatus === 'writable' && !(err instanceof WriteTimeoutError)) {
        try {
          sendHeader(stream, frame)
          await closeWrite(stream)
        } catch {}
      }
      reset(stream, err)
    } finally {
      reader.release()
    }
  }, { maxInboundStreams: options.maxInboundStreams })
}

/**
 * Runs one client request on a new stream to `peer`, at most CLIENT_STREAMS_PER_PEER at once per
 * protocol and peer (beyond that the server would refuse streams). On success the exchange
 * must have read the server's last frame; the stream is then checked to end and closed. On any
 * failure (or abort) the stream is reset.
 */
export async function request<T> (host: SiteHost, peer: string, protocol: string, signal: AbortSignal | undefined, exchange: (stream: Stream, reader: StreamReader) => Promise<T>): Promise<T> {
  const hostInternals = internals(host)
  return await hostInternals.clientLimiter.run(`${protocol} ${peer}`, async () => {
    const stream = await hostInternals.openStream(peer, protocol, signal)
    const reader = new StreamReader(stream)
    const onAbort = (): void => { reset(stream, signal?.reason ?? new Error('aborted')) }
    signal?.addEventListener('abort', onAbort, { once: true })
    try {
      const result = await exchange(stream, reader)
      await closeWrite(stream, signal)
      if (!await reader.atEnd(signal)) throw closedError(undefined, 'the peer sent bytes after its answer')
      return result
    } catch (err) {
      reset(stream, err)
      if (signal?.aborted === true) throw signal.reason
      throw err
    } finally {
      signal?.removeEventListener('abort', onAbort)
      reader.release()
    }
  }, signal)
}

/**
 * Sends a request body while already reading the answer: a server that refuses early (disk
 * full, not a member) answers at once and resets the stream; the caller sees its answer, not
 * the reset that stopped our writes. Returns the answer's header once the body went out.
 */
export async function sendBodyAndAnswer (host: SiteHost, stream: Stream, reader: StreamReader, body: Uint8Array, signal: AbortSignal | undefined): Promise<Header> {
  // The server is silent until the body's last byte arrives, and the body may wait behind every
  // other body this host sends at once: on a slow uplink that is longer than one read timeout.
  // (The writer's own timeout still catches a peer that takes nothing.)
  const inFlight = internals(host).bodiesInFlight.add(body.byteLength)
  reader.setExtraWait(inFlight.sharing / SLOWEST_UPLINK_BYTES_PER_S * 1000)
  try {
    const answer = readResponse(reader, signal)
    answer.catch(() => {})
    try {
      await sendBounded(stream, body, signal)
      await closeWrite(stream, signal)
    } catch (err) {
      // Resetting first makes a reader that still waits fail now instead of after its timeout.
      reset(stream, err)
      const early = await answer.then(() => undefined, (e: unknown) => e)
      throw early instanceof RemoteError ? early : err
    }
    return await answer
  } finally {
    inFlight.done()
    reader.setExtraWait(0)
  }
}
