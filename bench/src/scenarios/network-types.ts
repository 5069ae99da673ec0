import type { MemoryTimeline } from '../process/rss-sampler.js'

/** One side of a transfer: a process and what it spent. */
export interface TransferSide {
  /** Which process: the shard peer (site1's identity) or the node (site2). */
  process: string
  role: 'sender' | 'receiver'
  cpuSeconds: number
  cpuSecondsPerGb: number
  /** VmHWM during the run (reset at its start). */
  peakRssBytes: number
  /** TCP bytes the process sent (socket counters); undefined without ss. */
  tcpSentBytes: number | undefined
}

/** One measured transfer: `bytes` of shards one way, `streams` requests at a time. */
export interface TransferRun {
  /** put: the peer sends shards to the node, which stores them durably; get: the node serves them back. */
  direction: 'put' | 'get'
  streams: number
  shards: number
  shardBytes: number
  /** Shard bytes moved (the MB/s numerator). */
  bytes: number
  /** From the first request to the last answer, as the peer measured it. */
  seconds: number
  mbPerSecond: number
  sender: TransferSide
  receiver: TransferSide
  /** What the sender put on the wire beyond the shard bytes (Noise, yamux, frames), as a share of them. */
  wireOverhead: number | undefined
}

export interface NetworkResult {
  /** The node's site and the peer's identity. */
  node: string
  peer: string
  env: Record<string, string>
  runs: TransferRun[]
  memory?: MemoryTimeline
  warnings: string[]
}
