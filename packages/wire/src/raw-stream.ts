import type { Stream } from '@libp2p/interface'
import type { AbortOptions } from '@resilien/types'
import { internals } from './host.js'
import type { SiteHost } from './host.js'
import { StreamReader } from './stream-reader.js'
import { closeWrite } from './stream-writer.js'

/** Most bytes one `read` hands back. */
const RAW_READ_BYTES = 64 * 1024
/** The longest timer Node takes: a raw read waits for the caller's signal, not for READ_TIMEOUT_MS. */
const UNTIL_SIGNAL_MS = 2 ** 31 - 1

/**
 * A stream that carries exactly the bytes its user writes: no framing, no checks, no limit on
 * streams per peer. For fault tests that must send what no client of this package would (the
 * protocol fuzzer of test/faults); protocol code goes through the clients.
 */
export interface RawStream {
  /** Queues the bytes as they are (no write bound: keep them small); false once the stream cannot carry them. */
  send (bytes: Uint8Array): boolean
  /** The next bytes from the peer, undefined once it closed its end; throws when the stream was reset or `signal` aborted (there is no other timeout). */
  read (options?: AbortOptions): Promise<Uint8Array | undefined>
  /** Closes our writing end (the peer reads an end); throws when the stream was reset first. */
  closeWrite (options?: AbortOptions): Promise<void>
  /** Resets the stream; a stream that is done already is left as it is. */
  reset (): void
  /** Settles once the stream is over, both ends closed ('closed') or reset by either side ('reset'). */
  readonly ended: Promise<'closed' | 'reset'>
}

class Libp2pRawStream implements RawStream {
  readonly #stream: Stream
  readonly #reader: StreamReader

  readonly ended: Promise<'closed' | 'reset'>

  constructor (stream: Stream) {
    this.#stream = stream
    this.#reader = new StreamReader(stream, { timeoutMs: UNTIL_SIGNAL_MS })
    this.ended = new Promise((resolve) => {
      stream.addEventListener('close', (event) => { resolve(event.error === undefined ? 'closed' : 'reset') }, { once: true })
    })
  }

  send (bytes: Uint8Array): boolean {
    if (this.#stream.writeStatus !== 'writable') return false
    this.#stream.send(bytes)
    return true
  }

  async read (options?: AbortOptions): Promise<Uint8Array | undefined> {
    return await this.#reader.readSome(RAW_READ_BYTES, options?.signal)
  }

  async closeWrite (options?: AbortOptions): Promise<void> {
    await closeWrite(this.#stream, options?.signal)
  }

  reset (): void {
    // A pending read wakes on the stream's 'close' and throws.
    this.#stream.abort(new Error('reset by the sender'))
  }
}

/** Opens a stream of `protocol` to `peer` (dialling it if needed) and hands it over raw. */
export async function openRawStream (host: SiteHost, peer: string, protocol: string, options?: AbortOptions): Promise<RawStream> {
  return new Libp2pRawStream(await internals(host).openStream(peer, protocol, options?.signal))
}
