import { setTimeout as sleep } from 'node:timers/promises'
import { openRawStream } from '@resilien/wire'
import type { RawStream, SiteHost } from '@resilien/wire'
import { classify } from './answers.js'
import { concat, frame, utf8 } from './frames.js'
import { PROTOCOL_IDS } from './fuzz-case.js'
import type { Protocol, Sender } from './fuzz-case.js'
import { collect } from './send-case.js'

/** The node's read and write timeouts (packages/wire READ_TIMEOUT_MS, WRITE_TIMEOUT_MS). */
export const NODE_IO_TIMEOUT_MS = 30_000
/** Slack for a loaded box: timers fire late, the error frame and reset take a moment. */
const STALL_MARGIN_MS = 20_000
/** Reading what came once the stream is over (or the node gave up on it) takes no time. */
const DRAIN_TIMEOUT_MS = 5000
const OPEN_TIMEOUT_MS = 10_000

/**
 * A request left hanging: `write` stops part-way through the request (the node must give up
 * reading), `read` is a whole request whose answer is never read (the node must give up
 * writing, which it can only notice once the stream window and its write buffer are full).
 */
interface Stall {
  protocol: Protocol
  sender: Sender
  label: string
  bytes: Uint8Array
  stalls: 'write' | 'read'
}

export interface BigShard { id: string, size: number }

function stallsOf (nodePeer: string, big: BigShard | undefined): Stall[] {
  const stalls: Stall[] = [
    // Past the header, inside the body: the put holds one of the node's put slots meanwhile.
    { protocol: 'shard', sender: 'member', stalls: 'write', label: 'a put stalled inside its body', bytes: concat(frame(JSON.stringify({ op: 'put', id: 'ab'.repeat(32), size: 1000 })), new Uint8Array(10)) },
    { protocol: 'catalog', sender: 'member', stalls: 'write', label: 'a push stalled inside its entries', bytes: concat(frame(JSON.stringify({ op: 'push', site: nodePeer, count: 1, bytes: 100 })), utf8('[{"seq":')) },
    // Before the header is whole, from a peer that is no member: the node cannot know who it is dealing with yet.
    { protocol: 'join', sender: 'stranger', stalls: 'write', label: 'a join stalled inside its length prefix', bytes: Uint8Array.of(0, 0) }
  ]
  if (big !== undefined) stalls.push({ protocol: 'shard', sender: 'member', stalls: 'read', label: `a get of ${big.size >> 20} MiB never read`, bytes: frame(JSON.stringify({ op: 'get', id: big.id })) })
  return stalls
}

export interface StallResult {
  protocol: Protocol
  label: string
  /** What the node did, and when, in a few words. */
  outcome: string
  ok: boolean
}

async function watchStall (stall: Stall, stream: RawStream, started: number, big: BigShard | undefined): Promise<StallResult> {
  const seconds = (): number => (Date.now() - started) / 1000
  if (stall.stalls === 'write') {
    const seen = await collect(stream, AbortSignal.timeout(NODE_IO_TIMEOUT_MS + STALL_MARGIN_MS))
    if (seen.end === 'timed-out') stream.reset()
    const result = classify(seen.bytes, seen.end)
    const what = result.outcome === 'error' ? `error ${result.code ?? ''}` : result.outcome
    const ok = seen.end !== 'timed-out'
    return { protocol: stall.protocol, label: stall.label, outcome: ok ? `ended by the node after ${seconds().toFixed(1)} s (${what})` : `still open after ${seconds().toFixed(0)} s`, ok }
  }
  await stream.closeWrite({ signal: AbortSignal.timeout(OPEN_TIMEOUT_MS) }).catch(() => {})
  // Nothing is read meanwhile: the stream pauses, the window closes, the node's writes stop.
  const patience = new AbortController()
  await Promise.race([stream.ended, sleep(NODE_IO_TIMEOUT_MS + STALL_MARGIN_MS, undefined, { signal: patience.signal }).catch(() => {})])
  patience.abort()
  const seen = await collect(stream, AbortSignal.timeout(DRAIN_TIMEOUT_MS))
  if (seen.end !== 'closed') stream.reset()
  // A node still writing hands over the whole shard once we read: it never gave up.
  const gaveUp = seen.end === 'reset' && seen.bytes.byteLength < (big?.size ?? 0)
  const taken = `${(seen.bytes.byteLength / 2 ** 20).toFixed(1)} of ${((big?.size ?? 0) / 2 ** 20).toFixed(0)} MiB taken`
  return { protocol: stall.protocol, label: stall.label, outcome: gaveUp ? `reset by the node within ${seconds().toFixed(0)} s (${taken})` : `not given up by the node after ${seconds().toFixed(0)} s (${seen.end}, ${taken})`, ok: gaveUp }
}

/**
 * Requests that stall while the fuzzing goes on: each must be ended by the node (an error
 * frame, a reset) within its read or write timeout, or it holds a stream, a put or get slot,
 * and perhaps a shard in memory, forever.
 */
export class StallWatch {
  readonly #pending: Array<Promise<StallResult>> = []

  static async start (hosts: Readonly<Record<Sender, SiteHost>>, peer: string, protocols: readonly Protocol[], big: BigShard | undefined): Promise<StallWatch> {
    const watch = new StallWatch()
    for (const stall of stallsOf(peer, big).filter((s) => protocols.includes(s.protocol))) {
      const started = Date.now()
      const stream = await openRawStream(hosts[stall.sender], peer, PROTOCOL_IDS[stall.protocol], { signal: AbortSignal.timeout(OPEN_TIMEOUT_MS) })
      stream.send(stall.bytes)
      watch.#pending.push(watchStall(stall, stream, started, big))
    }
    return watch
  }

  /** Waits for every stalled request to end (or its margin to pass). */
  async results (): Promise<StallResult[]> {
    return await Promise.all(this.#pending)
  }
}
