import { setTimeout as sleep } from 'node:timers/promises'
import { openRawStream } from '@resilien/wire'
import type { RawStream, SiteHost } from '@resilien/wire'
import { classify } from './answers.js'
import type { StreamEnd, StreamResult } from './answers.js'
import { PROTOCOL_IDS } from './fuzz-case.js'
import type { FuzzCase, StreamPlan } from './fuzz-case.js'

export interface SendOptions {
  /**
   * How long the node has to end a stream once the request is complete (closed or stalled):
   * it needs no more than a store call, so anything near this is a stream left open.
   */
  answerTimeoutMs: number
}

/** Opening a stream takes a protocol negotiation; a dial if the connection was lost. */
const OPEN_TIMEOUT_MS = 10_000
/** The node's answers to fuzz cases are small; past this the stream is dropped and judged on what came. */
const MAX_ANSWER_BYTES = 16 * 1024 * 1024

export interface Collected { bytes: Uint8Array, end: StreamEnd }

/** Everything the node sends until it ends the stream, resets it, or `signal` fires. */
export async function collect (stream: RawStream, signal: AbortSignal): Promise<Collected> {
  const chunks: Uint8Array[] = []
  let total = 0
  let end: StreamEnd
  try {
    for (;;) {
      const chunk = await stream.read({ signal })
      if (chunk === undefined) {
        end = 'closed'
        break
      }
      chunks.push(chunk)
      total += chunk.byteLength
      if (total > MAX_ANSWER_BYTES) {
        stream.reset()
        end = 'reset'
        break
      }
    }
  } catch {
    end = signal.aborted ? 'timed-out' : 'reset'
  }
  return { bytes: Buffer.concat(chunks), end }
}

/** Writes one stream's plan and reads what the node makes of it. */
async function sendStream (host: SiteHost, peer: string, protocol: string, plan: StreamPlan, options: SendOptions): Promise<StreamResult> {
  let stream: RawStream
  try {
    stream = await openRawStream(host, peer, protocol, { signal: AbortSignal.timeout(OPEN_TIMEOUT_MS) })
  } catch (err) {
    return { outcome: 'open-failed', detail: err instanceof Error ? err.message : String(err) }
  }
  const stalls = plan.ending === 'stall-close' || plan.ending === 'stall-reset'
  const deadline = new AbortController()
  const reading = collect(stream, deadline.signal)
  for (const bytes of plan.writes) {
    // A node that already answered and reset the stream takes no more: the rest is dropped.
    if (!stream.send(bytes)) break
    // Separate writes leave as separate stream frames only if the stream gets to send between them.
    if (plan.writes.length > 1) await new Promise((resolve) => setImmediate(resolve))
  }
  if (plan.ending === 'reset') {
    stream.reset()
    await reading
    return { outcome: 'aborted' }
  }
  if (stalls) await Promise.race([sleep(plan.stallMs), reading])
  if (plan.ending === 'stall-reset') {
    stream.reset()
    const seen = await reading
    // What the node answered during the stall counts; a reset of ours with nothing before it does not.
    const result = classify(seen.bytes, 'reset')
    return result.outcome === 'reset' ? { outcome: 'aborted' } : result
  }
  // The request is complete once our end is closed; a reset stream refuses the close, and that is fine.
  await stream.closeWrite({ signal: AbortSignal.timeout(options.answerTimeoutMs) }).catch(() => {})
  const timer = setTimeout(() => { deadline.abort() }, options.answerTimeoutMs)
  const seen = await reading
  clearTimeout(timer)
  if (seen.end !== 'closed') stream.reset()
  return classify(seen.bytes, seen.end)
}

/** Runs a case: its streams opened together, each written and read to its end. */
export async function sendCase (hosts: Readonly<Record<FuzzCase['sender'], SiteHost>>, peer: string, fuzzCase: FuzzCase, options: SendOptions): Promise<StreamResult[]> {
  const host = hosts[fuzzCase.sender]
  const protocol = PROTOCOL_IDS[fuzzCase.protocol]
  return await Promise.all(fuzzCase.streams.map(async (plan) => await sendStream(host, peer, protocol, plan, options)))
}
