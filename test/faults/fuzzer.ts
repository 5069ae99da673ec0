import { writeFile } from 'node:fs/promises'
import type { TestContext } from '../src/index.js'
import type { StreamResult } from './answers.js'
import { FuzzFailure, reproduceCommand } from './failure.js'
import type { Protocol } from './fuzz-case.js'
import { generateCase } from './generate.js'
import { judge } from './judge.js'
import { HealthError, NodeWatch } from './node-watch.js'
import { sendCase } from './send-case.js'
import { openSession } from './session.js'
import type { Session } from './session.js'
import { StallWatch } from './stall-watch.js'
import type { StallResult } from './stall-watch.js'
import { ProtocolSummary } from './summary.js'

const MiB = 1024 * 1024

export interface FuzzOptions {
  seed: number
  /** Cases per protocol. */
  count: number
  /** Number of the first case (cases are numbered from 0 under each seed and protocol). */
  from: number
  protocols: readonly Protocol[]
  /** `resilien status` and a normal client's put and get every this many cases (and at the end). */
  checkEvery: number
  /** The node's RSS may rise this far above its RSS once set up (see README). */
  rssHeadroomMiB: number
  /** How long the node has to end a stream once a request is complete. */
  answerTimeoutMs: number
  /** Record failing cases and go on (a node that fails its health check still stops the run). */
  keepGoing: boolean
  /** Print every case and what the node made of it. */
  verbose: boolean
  /** Where to write everything the node printed, once the run ends (pass or fail). */
  nodeLogFile?: string
  log: (line: string) => void
}

export const DEFAULT_RSS_HEADROOM_MIB = 64
export const DEFAULT_ANSWER_TIMEOUT_MS = 10_000
/** The RSS and output of the node are looked at this often (cases): a read of /proc, cheap. */
const SAMPLE_EVERY = 50

export interface FuzzReport {
  seed: number
  summaries: ProtocolSummary[]
  stalls: StallResult[]
  rss: string
  /** With keepGoing: every failure, in order. */
  failures: FuzzFailure[]
}

function describe (result: StreamResult): string {
  if (result.outcome === 'error') return `error ${result.code ?? ''} (${result.message ?? ''})`
  return result.detail === undefined ? result.outcome : `${result.outcome} (${result.detail})`
}

async function fuzzProtocol (session: Session, watch: NodeWatch, protocol: Protocol, options: FuzzOptions, failures: FuzzFailure[]): Promise<ProtocolSummary> {
  const { seed, from, count } = options
  const summary = new ProtocolSummary(protocol)
  let checked = from
  let windowStart = { done: 0, at: Date.now() }
  const health = async (index: number, thorough: boolean): Promise<void> => {
    try {
      const rss = await watch.sample()
      summary.peakRss = Math.max(summary.peakRss, rss)
      if (thorough) await watch.check()
    } catch (err) {
      if (!(err instanceof HealthError)) throw err
      throw new FuzzFailure(`${protocol}: after case ${index}: ${err.message}`, reproduceCommand(seed, protocol, checked, index - checked + 1))
    }
    if (thorough) checked = index + 1
  }
  for (let index = from; index < from + count; index++) {
    const fuzzCase = generateCase(seed, protocol, index, session.ctx, true)
    const started = Date.now()
    const results = await sendCase(session.hosts, session.peer, fuzzCase, { answerTimeoutMs: options.answerTimeoutMs })
    summary.count(results, fuzzCase.sender === 'stranger')
    if (options.verbose) options.log(`${protocol} ${index} ${fuzzCase.sender} (${Date.now() - started} ms): ${fuzzCase.label} -> ${results.map(describe).join(' ')}`)
    const problem = judge(fuzzCase, results)
    if (problem !== undefined) {
      const failure = new FuzzFailure(`${protocol} case ${index} (${fuzzCase.sender}: ${fuzzCase.label}): ${problem}`, reproduceCommand(seed, protocol, index, 1))
      if (!options.keepGoing) throw failure
      options.log(failure.message)
      failures.push(failure)
    }
    const done = index - from + 1
    const thorough = done % options.checkEvery === 0 || done === count
    if (thorough || done % SAMPLE_EVERY === 0) await health(index, thorough)
    if (thorough) {
      const now = Date.now()
      options.log(`${protocol}: ${done}/${count} cases, ${((done - windowStart.done) * 1000 / (now - windowStart.at)).toFixed(0)} cases/s, node RSS ${(watch.lastRss / MiB).toFixed(0)} MiB, ${watch.rss}`)
      windowStart = { done, at: now }
    }
  }
  summary.end()
  return summary
}

/**
 * Fuzzes the protocols of one real node: `count` cases per protocol, each a stream of random
 * or mutated frames, sent by the admitted fuzzer or (sometimes) by the stranger. Throws a
 * FuzzFailure naming the case and the command that reruns it.
 */
export async function runFuzz (t: TestContext, options: FuzzOptions): Promise<FuzzReport> {
  const session = await openSession(t, options.seed, options.protocols)
  const nodeLogFile = options.nodeLogFile
  if (nodeLogFile !== undefined) t.after(async () => { await writeFile(nodeLogFile, session.site.log) })
  const watch = await NodeWatch.start({
    site: session.site,
    peer: session.peer,
    member: session.hosts.member,
    rssHeadroomBytes: options.rssHeadroomMiB * MiB,
    seed: options.seed
  })
  options.log(`seed ${options.seed}: node ${session.peer} up, fuzzer admitted as ${session.ctx.memberPeer}; node RSS ${watch.rss}`)
  const stallWatch = await StallWatch.start(session.hosts, session.peer, options.protocols, session.big)
  const failures: FuzzFailure[] = []
  const summaries: ProtocolSummary[] = []
  for (const protocol of options.protocols) summaries.push(await fuzzProtocol(session, watch, protocol, options, failures))
  const stalls = await stallWatch.results()
  for (const stall of stalls.filter((s) => !s.ok)) {
    failures.push(new FuzzFailure(`${stall.protocol}: ${stall.label}: ${stall.outcome}`, reproduceCommand(options.seed, stall.protocol, options.from, 0)))
  }
  try {
    await watch.check()
  } catch (err) {
    if (!(err instanceof HealthError)) throw err
    throw new FuzzFailure(`after all cases: ${err.message}`, reproduceCommand(options.seed, 'all', options.from, options.count))
  }
  if (failures.length > 0 && !options.keepGoing) throw failures[0] as FuzzFailure
  return { seed: options.seed, summaries, stalls, rss: watch.rss, failures }
}
