/** The protocols the fuzzer knows, by the short name the command line takes. */
export const PROTOCOLS = ['shard', 'catalog', 'join'] as const
export type Protocol = typeof PROTOCOLS[number]

export const PROTOCOL_IDS: Readonly<Record<Protocol, string>> = {
  shard: '/resilien/shard/1',
  catalog: '/resilien/catalog/1',
  join: '/resilien/join/1'
}

/** Who sends a case: the fuzzer's admitted site, or a peer that never joined. */
export type Sender = 'member' | 'stranger'

/**
 * How the fuzzer ends its side after writing: close its writing end (the node sees the end of
 * the request), stall first (the node must neither crash nor answer out of turn meanwhile),
 * or reset the stream.
 */
export type Ending = 'close' | 'stall-close' | 'stall-reset' | 'reset'

/** One stream of a case: bytes written in this order, each write a separate send. */
export interface StreamPlan {
  writes: Uint8Array[]
  ending: Ending
  /** For the stall endings: how long nothing more is written. */
  stallMs: number
}

export interface FuzzCase {
  protocol: Protocol
  index: number
  sender: Sender
  /** What the case does, short: printed with a failure. */
  label: string
  /** Usually one; several for "many streams at once", opened together. */
  streams: StreamPlan[]
}

/** Facts about the fuzzed node that make a request valid (the base of every mutation). */
export interface FuzzContext {
  /** The node's peer id (a site id whose log exists). */
  nodePeer: string
  /** The fuzzer's admitted peer id. */
  memberPeer: string
  cluster: string
  /** Log entries pulled from the node: pushed back as they are (ingested as nothing new) or mutated. */
  entries: readonly unknown[]
  /** A shard the node holds: gets and has that find something. */
  shardId: string
  shardSize: number
  /** Shard id of bytes (BLAKE3): puts whose id matches their body. */
  shardIdOf: (bytes: Uint8Array) => string
}
