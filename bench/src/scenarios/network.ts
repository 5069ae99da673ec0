import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { onCleanup } from '../process/cleanup.js'
import { watchProcesses } from '../process/process-usage.js'
import { RssSampler } from '../process/rss-sampler.js'
import { haveSocketCounters, tcpDelta, tcpSnapshot } from '../process/socket-counters.js'
import { startCluster, withNodeLogs } from '../tools/resilien-cluster.js'
import type { NamedSite } from '../tools/resilien-cluster.js'
import { BENCH_PASSWORD_ENV } from '../tools/resilien-site.js'
import { ShardPeerProcess } from '../tools/shard-peer-process.js'
import type { NetworkResult, TransferRun, TransferSide } from './network-types.js'

export interface NetworkOptions {
  /** Shard bytes per transfer. */
  totalBytes: number
  shardBytes: number
  /** Concurrent requests of each measured transfer. */
  streams: readonly number[]
  log: (line: string) => void
  onStep?: (name: string) => void
}

/**
 * A shard as the default repository makes them: a 4 MiB pack over the k = 2 data shards of the
 * 3-site default coding.
 */
export const DEFAULT_SHARD_BYTES = 2 * 1024 * 1024
/** 1 stream (one request at a time) and 4: the client's limit of requests per peer and protocol. */
export const DEFAULT_STREAMS: readonly number[] = [1, 4]
/**
 * The node's timers: redial fast (setup), sync seldom. The peer holds site1's identity but
 * serves no catalog, so each sync round towards it fails: rarely, it does not weigh on the figures.
 */
const NETWORK_ENV = { RESILIEN_SYNC_INTERVAL: '60s', RESILIEN_REDIAL_MAX: '5s' }
const ALL_UP_TIMEOUT_MS = 60_000
/** Shards put and got once before measuring: connections, streams and both programs warmed up (JIT, buffers). */
const WARM_UP_SHARDS = 8
/** Lines of the node's output kept when the run fails. */
const LOG_TAIL_LINES = 20
/** Names of the two processes in the report. */
const PEER = 'site1 peer'
const NODE = 'site2 node'

const MB = 1e6
const GB = 1e9

function side (process: string, role: TransferSide['role'], cpu: number, peak: number, sent: number | undefined, bytes: number): TransferSide {
  return { process, role, cpuSeconds: cpu, cpuSecondsPerGb: cpu / (bytes / GB), peakRssBytes: peak, tcpSentBytes: sent }
}

/**
 * Shard transfer between two site processes on this machine: site2 is a node as `resilien
 * start` runs it (its shard server, its store on disk with fsync); site1's node is stopped and a
 * peer process holding site1's identity puts shards on site2 and gets them back, with one and
 * several requests at a time. Each side's CPU and peak RSS come from /proc, the bytes on the wire
 * from the TCP counters.
 */
export async function runNetwork (options: NetworkOptions): Promise<NetworkResult> {
  const { log } = options
  const root = mkdtempSync(join(tmpdir(), 'resilien-bench-network-'))
  const removeRoot = onCleanup(() => rmSync(root, { recursive: true, force: true }))
  const sampler = new RssSampler(options.onStep)
  const warnings: string[] = []
  let sites: NamedSite[] = []
  let peer: ShardPeerProcess | undefined
  try {
    sampler.beginStep('start two sites, site1\'s identity to the peer')
    log('starting 2 sites, then stopping site1 and putting its identity in a shard peer process')
    sites = await startCluster(join(root, 'sites'), 2, { ...BENCH_PASSWORD_ENV, ...NETWORK_ENV }, { timeoutMs: ALL_UP_TIMEOUT_MS })
    const [first, second] = sites as [NamedSite, NamedSite]
    const nodePeerId = (await second.site.probeStatus()).sites.find((s) => s.name === second.name)?.peerId
    const addrs = second.site.listenAddresses()
    if (nodePeerId === undefined || addrs.length === 0) throw new Error(`${second.name}'s peer id or addresses are unknown`)
    await first.site.stop()
    const started = await ShardPeerProcess.start(join(first.site.dataDir, 'identity.key'), nodePeerId, addrs)
    peer = started.process
    sampler.endStep()
    sampler.track(PEER, peer.pid)
    sampler.track(NODE, second.site.pid)
    const pids = { [PEER]: peer.pid, [NODE]: second.site.pid }
    if (!haveSocketCounters()) warnings.push('ss (iproute2) did not run: bytes on the wire are not measured')

    const count = Math.max(1, Math.round(options.totalBytes / options.shardBytes))
    const runs: TransferRun[] = []
    let run = 0
    sampler.beginStep('warm-up')
    await peer.call({ op: 'prepare', run: ++run, count: WARM_UP_SHARDS, size: options.shardBytes })
    for (const op of ['put', 'get'] as const) await peer.call({ op, streams: Math.max(...options.streams) })
    sampler.endStep()
    for (const streams of options.streams) {
      await peer.call({ op: 'prepare', run: ++run, count, size: options.shardBytes })
      for (const direction of ['put', 'get'] as const) {
        const label = `${direction} ${count} x ${(options.shardBytes / 2 ** 20).toFixed(0)} MiB shards, ${streams} at a time`
        const tcp0 = await tcpSnapshot(pids)
        sampler.beginStep(label)
        const finish = watchProcesses([peer.pid, second.site.pid])
        const answer = await peer.call({ op: direction, streams })
        const [pu, nu] = finish()
        sampler.endStep()
        const tcp = tcpDelta(tcp0, await tcpSnapshot(pids))
        const bytes = answer.bytes ?? count * options.shardBytes
        const seconds = answer.seconds ?? Number.NaN
        const peerSide = side(PEER, direction === 'put' ? 'sender' : 'receiver', pu?.cpuSeconds ?? Number.NaN, pu?.peakRssBytes ?? Number.NaN, tcp[PEER]?.sentBytes, bytes)
        const nodeSide = side(NODE, direction === 'put' ? 'receiver' : 'sender', nu?.cpuSeconds ?? Number.NaN, nu?.peakRssBytes ?? Number.NaN, tcp[NODE]?.sentBytes, bytes)
        const [sender, receiver] = direction === 'put' ? [peerSide, nodeSide] : [nodeSide, peerSide]
        const r: TransferRun = {
          direction,
          streams,
          shards: count,
          shardBytes: options.shardBytes,
          bytes,
          seconds,
          mbPerSecond: bytes / MB / seconds,
          sender,
          receiver,
          wireOverhead: sender.tcpSentBytes === undefined ? undefined : sender.tcpSentBytes / bytes - 1
        }
        runs.push(r)
        log(`  ${label}: ${r.mbPerSecond.toFixed(0)} MB/s; CPU s/GB sender ${sender.cpuSecondsPerGb.toFixed(1)}, receiver ${receiver.cpuSecondsPerGb.toFixed(1)}`)
      }
    }
    await peer.stop()
    return { node: second.name, peer: first.name, env: NETWORK_ENV, runs, memory: sampler.stop(), warnings }
  } catch (err) {
    throw withNodeLogs(err, sites, LOG_TAIL_LINES)
  } finally {
    sampler.stop()
    await peer?.stop()
    for (const s of sites) await s.site.stop()
    removeRoot()
  }
}
