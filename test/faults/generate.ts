import { catalogRequest } from './catalog-requests.js'
import { concat, frame, utf8 } from './frames.js'
import type { Ending, FuzzCase, FuzzContext, Protocol, Sender, StreamPlan } from './fuzz-case.js'
import { joinRequest } from './join-requests.js'
import { mutateBody, mutateBytes, mutateHeader } from './mutations.js'
import type { Request } from './mutations.js'
import { Random } from './random.js'
import { randomFrame } from './random-frames.js'
import { shardRequest } from './shard-requests.js'

/** Share of cases sent by the stranger (a peer that never joined), when there is one. */
const STRANGER_SHARE = 0.1
/** Share of cases that open several streams at once. */
const MANY_STREAMS_SHARE = 0.03
/** Streams of such a case: past the node's 8 inbound streams per protocol and connection. */
const MAX_STREAMS_AT_ONCE = 16
/** A stall: long enough for the node to act on what it has, short enough to keep cases fast. */
const STALL_MS = [10, 200] as const
/** A request split into several writes is split in at most this many pieces. */
const MAX_PIECES = 8
/** Requests at most this long are sometimes written one byte at a time. */
const BYTEWISE_MAX = 256

const REQUESTS: Readonly<Record<Protocol, (rng: Random, ctx: FuzzContext) => Request>> = {
  shard: shardRequest,
  catalog: catalogRequest,
  join: joinRequest
}

type Family = 'valid' | 'random' | 'header' | 'body' | 'bytes'
const FAMILIES: ReadonlyArray<readonly [number, Family]> = [[10, 'valid'], [15, 'random'], [35, 'header'], [15, 'body'], [25, 'bytes']]
const ENDINGS: ReadonlyArray<readonly [number, Ending]> = [[90, 'close'], [3, 'stall-close'], [3, 'stall-reset'], [4, 'reset']]

function encode (request: Request): Uint8Array {
  return frame(JSON.stringify(request.header))
}

/** The bytes of one stream: a valid request, a random frame, or a request with its header, body or bytes changed. */
function requestBytes (rng: Random, protocol: Protocol, ctx: FuzzContext): { bytes: Uint8Array, label: string } {
  const request = REQUESTS[protocol](rng, ctx)
  const op = `${request.op}${request.note === undefined ? '' : ` (${request.note})`}`
  const family = rng.weighted(FAMILIES)
  if (family === 'valid') return { bytes: concat(encode(request), request.body), label: `valid ${op}` }
  if (family === 'random') return randomFrame(rng, JSON.stringify(request.header))
  if (family === 'header') {
    const header = mutateHeader(rng, request.header)
    const body = rng.chance(0.7) ? { bytes: request.body, label: '' } : mutateBody(rng, request.body)
    return { bytes: concat(frame(header.bytes), body.bytes), label: `${op}: ${header.label}${body.label === '' ? '' : `; ${body.label}`}` }
  }
  if (family === 'body') {
    const body = mutateBody(rng, request.body)
    return { bytes: concat(encode(request), body.bytes), label: `${op}: ${body.label}` }
  }
  const mutated = mutateBytes(rng, concat(encode(request), request.body))
  return { bytes: mutated.bytes, label: `${op}: ${mutated.label}` }
}

/** The writes of a request: whole, in random pieces, or (when short) one byte at a time. */
function splitWrites (rng: Random, bytes: Uint8Array): Uint8Array[] {
  if (bytes.byteLength <= 1 || rng.chance(0.75)) return [bytes]
  if (bytes.byteLength <= BYTEWISE_MAX && rng.chance(0.2)) return Array.from(bytes, (b) => Uint8Array.of(b))
  const cuts = [...new Set(Array.from({ length: rng.int(1, MAX_PIECES - 1) }, () => rng.int(1, bytes.byteLength - 1)))].sort((a, b) => a - b)
  return [0, ...cuts].map((start, i) => bytes.subarray(start, cuts[i] ?? bytes.byteLength))
}

function streamPlan (rng: Random, protocol: Protocol, ctx: FuzzContext, alongOthers: boolean): { plan: StreamPlan, label: string } {
  const { bytes, label } = requestBytes(rng, protocol, ctx)
  const writes = splitWrites(rng, bytes)
  // Streams opened together all close: their point is the count, not the timing.
  const ending = alongOthers ? 'close' : rng.weighted(ENDINGS)
  const stallMs = rng.int(STALL_MS[0], STALL_MS[1])
  const how = [writes.length > 1 ? `${writes.length} writes` : '', ending === 'close' ? '' : `${ending}${ending.startsWith('stall') ? ` ${stallMs} ms` : ''}`].filter((s) => s !== '')
  return { plan: { writes, ending, stallMs }, label: how.length === 0 ? label : `${label} [${how.join(', ')}]` }
}

/** Case `index` of `protocol` under `seed`: the same case on every run, whatever ran before it. */
export function generateCase (seed: number, protocol: Protocol, index: number, ctx: FuzzContext, withStranger: boolean): FuzzCase {
  const rng = Random.forCase(seed, protocol, index)
  const sender: Sender = withStranger && rng.chance(STRANGER_SHARE) ? 'stranger' : 'member'
  if (rng.chance(MANY_STREAMS_SHARE)) {
    const count = rng.int(2, MAX_STREAMS_AT_ONCE)
    const plans = Array.from({ length: count }, () => streamPlan(rng, protocol, ctx, true))
    return { protocol, index, sender, label: `${count} streams at once, the first: ${(plans[0] as { label: string }).label}`, streams: plans.map((p) => p.plan) }
  }
  const { plan, label } = streamPlan(rng, protocol, ctx, false)
  return { protocol, index, sender, label, streams: [plan] }
}

/** For tests of the generator itself: the bytes a case writes, joined. */
export function caseBytes (fuzzCase: FuzzCase): Uint8Array {
  return concat(...fuzzCase.streams.flatMap((s) => s.writes), utf8(fuzzCase.label))
}
