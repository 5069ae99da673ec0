import { Limiter, toHex } from '@resilien/types'
import type { ByteRange, ShardStore } from '@resilien/types'
import { hex64, integer, onlyKeys, optionalInteger } from './checks.js'
import { MAX_HAS_IDS, MAX_SHARD_BYTES, RECEIVED_PUTS_AT_ONCE, SERVED_GETS_AT_ONCE, SHARD_INBOUND_STREAMS, SHARD_PROTOCOL } from './constants.js'
import { serve } from './exchange.js'
import type { ServerExchange } from './exchange.js'
import { MalformedError, sendHeader } from './frames.js'
import type { SiteHost } from './host.js'
import { opOf } from './remote-error.js'
import { closedError } from './stream-errors.js'
import { sendBounded } from './stream-writer.js'

export interface ShardServerOptions {
  store: ShardStore
  /** Non-members get their stream reset, one log line. */
  isMember: (peerId: string) => boolean
  log?: (line: string) => void
}

/** Bytes of a shard id on the wire (has requests carry raw digests). */
const ID_BYTES = 32

/**
 * The body of a put as the store reads it: exactly `size` bytes, in the chunks they arrived in.
 * The reader's backpressure reaches the sender through it: the store's pace is the pace.
 */
function bodyOf (exchange: ServerExchange, size: number, progress: { received: number }): AsyncIterable<Uint8Array> {
  return {
    async * [Symbol.asyncIterator] () {
      while (progress.received < size) {
        const chunk = await exchange.reader.readSome(size - progress.received)
        if (chunk === undefined) throw closedError(undefined, `the shard body ended after ${progress.received} of ${size} bytes`)
        progress.received += chunk.byteLength
        yield chunk
      }
    }
  }
}

async function put (store: ShardStore, exchange: ServerExchange): Promise<void> {
  const { header } = exchange
  onlyKeys(header, ['op', 'id', 'size'])
  const id = hex64(header.id, 'id')
  const size = integer(header.size, 'size', 1, MAX_SHARD_BYTES)
  // Renewed, not only asked: the sender records the shard here on the strength of this answer,
  // so this site's GC must not take the copy it already had (GC's grace counts from here).
  const have = await store.renew(id)
  sendHeader(exchange.stream, { ok: true, have })
  if (have) return
  const progress = { received: 0 }
  // Bytes from the network: the store hashes them (never `trustedId`); a body cut short makes
  // the iterable throw, and the store then keeps nothing.
  await store.put(id, bodyOf(exchange, size, progress), { size })
  // A concurrent put may have stored the shard first: the store then read nothing of ours.
  while (progress.received < size) {
    const chunk = await exchange.reader.readSome(size - progress.received)
    if (chunk === undefined) throw closedError(undefined, 'the shard body ended early')
    progress.received += chunk.byteLength
  }
  sendHeader(exchange.stream, { ok: true })
}

async function get (store: ShardStore, exchange: ServerExchange): Promise<void> {
  const { header } = exchange
  onlyKeys(header, ['op', 'id', 'offset', 'length'])
  const id = hex64(header.id, 'id')
  const offset = optionalInteger(header.offset, 'offset', 0, MAX_SHARD_BYTES)
  const length = optionalInteger(header.length, 'length', 0, MAX_SHARD_BYTES)
  if ((offset === undefined) !== (length === undefined)) throw new MalformedError('a range needs both offset and length')
  let range: ByteRange | undefined
  if (offset !== undefined && length !== undefined) {
    if (offset + length > MAX_SHARD_BYTES) throw new MalformedError(`the range ends past ${MAX_SHARD_BYTES} bytes`)
    range = { offset, length }
  }
  const bytes = await store.get(id, range)
  if (bytes === undefined) {
    sendHeader(exchange.stream, { ok: true, found: false })
    return
  }
  sendHeader(exchange.stream, { ok: true, found: true, size: bytes.byteLength })
  await sendBounded(exchange.stream, bytes)
}

async function has (store: ShardStore, exchange: ServerExchange): Promise<void> {
  const { header } = exchange
  onlyKeys(header, ['op', 'count'])
  const count = integer(header.count, 'count', 1, MAX_HAS_IDS)
  const raw = await exchange.reader.readExactly(count * ID_BYTES)
  const ids: string[] = []
  for (let i = 0; i < count; i++) ids.push(toHex(raw.subarray(i * ID_BYTES, (i + 1) * ID_BYTES)))
  const answers = await store.has(ids)
  sendHeader(exchange.stream, { ok: true, have: answers.map((a) => (a ? '1' : '0')).join('') })
}

/**
 * Serves '/resilien/shard/1' from `store` to members:
 * put `{op, id, size}` -> `{ok, have}`, then (unless have) `size` raw bytes -> `{ok}`;
 * get `{op, id, offset?, length?}` -> `{ok, found, size?}` + raw bytes;
 * has `{op, count}` + count x 32 raw id bytes -> `{ok, have: '0110...'}`.
 */
export function serveShards (host: SiteHost, options: ShardServerOptions): void {
  const { store } = options
  const puts = new Limiter(RECEIVED_PUTS_AT_ONCE)
  const gets = new Limiter(SERVED_GETS_AT_ONCE)
  serve(host, {
    protocol: SHARD_PROTOCOL,
    maxInboundStreams: SHARD_INBOUND_STREAMS,
    isMember: options.isMember,
    ...(options.log === undefined ? {} : { log: options.log })
  }, async (exchange) => {
    const { header } = exchange
    const op = opOf(header, ['put', 'get', 'has'])
    if (op === 'put') await puts.run(async () => { await put(store, exchange) })
    else if (op === 'get') await gets.run(async () => { await get(store, exchange) })
    else await has(store, exchange)
  })
}
