/**
 * The lines the bench and its shard peer process (shard-peer.ts) exchange, one JSON object per
 * line: the bench sends a command on the peer's stdin, the peer answers on its stdout.
 */

/** Make `count` shards of `size` bytes for run `run` (distinct from every other run's) and hash them. */
export interface PrepareCommand { op: 'prepare', run: number, count: number, size: number }
/** Put the prepared shards on the node, `streams` at a time; or get them back from it. */
export interface TransferCommand { op: 'put' | 'get', streams: number }
export interface QuitCommand { op: 'quit' }
export type ShardPeerCommand = PrepareCommand | TransferCommand | QuitCommand

export interface ShardPeerAnswer {
  ok: boolean
  /** ready: the peer is connected to the node (its first line). */
  ready?: boolean
  peerId?: string
  /** Seconds of the transfer, measured in the peer from the first request to the last answer. */
  seconds?: number
  /** Payload bytes moved (shard bytes, not protocol). */
  bytes?: number
  error?: string
}
