import { noise } from '@chainsafe/libp2p-noise'
import { yamux } from '@chainsafe/libp2p-yamux'
import { privateKeyFromProtobuf } from '@libp2p/crypto/keys'
import type { Libp2p, PeerId, Stream, StreamHandler } from '@libp2p/interface'
import { peerIdFromPrivateKey as peerIdOfKey, peerIdFromString } from '@libp2p/peer-id'
import { tcp } from '@libp2p/tcp'
import type { TCPOptions, TCPSocketOptions } from '@libp2p/tcp'
import { multiaddr } from '@multiformats/multiaddr'
import type { Multiaddr } from '@multiformats/multiaddr'
import { InvalidInputError, KeyedLimiter } from '@resilien/types'
import type { AbortOptions } from '@resilien/types'
import { createLibp2p } from 'libp2p'
import { CLIENT_STREAMS_PER_PEER, INBOUND_CONNECTION_THRESHOLD, STREAM_READ_BUFFER_BYTES, STREAM_WINDOW_BYTES } from './constants.js'
import { leanNoiseCrypto } from './noise-cipher.js'
import { describeListenFailure } from './site-addresses.js'
import { openStreamError } from './stream-errors.js'
import { withBatchedWrites } from './socket-batching.js'
import { BodiesInFlight } from './bodies-in-flight.js'

export interface SiteHostInit {
  /** Bytes of the site's identity.key file: libp2p protobuf-encoded Ed25519 private key
   *  (privateKeyFromProtobuf of @libp2p/crypto/keys reads it). */
  privateKey: Uint8Array
  /** Multiaddrs to listen on (/ip4/127.0.0.1/tcp/0, /ip6/..., ); [] for a dial-only host. */
  listen: string[]
  /** Connection gater: false refuses the peer (inbound and outbound, at the earliest point). Called often: must be cheap. */
  allowPeer: (peerId: string) => boolean
  /** Source IP address of outgoing connections; undefined: the system's choice. */
  dialFrom?: string
}

export interface SiteHost {
  readonly peerId: string
  /** Actual listen multiaddrs (after port 0 resolved), without /p2p/ suffix. */
  listenAddresses (): string[]
  /** Opens a connection to peerId at any of addrs (strings; /ip4, /ip6, /dns4 + /tcp) unless one is open. */
  connect (peerId: string, addrs: readonly string[], options?: AbortOptions): Promise<void>
  isConnected (peerId: string): boolean
  connectedPeers (): string[]
  onConnect (listener: (peerId: string) => void): void
  onDisconnect (listener: (peerId: string) => void): void
  /** Closes connections to a peer (e.g. one that stopped being a member). */
  hangUp (peerId: string): Promise<void>
  stop (): Promise<void>
}

export interface HandleOptions {
  maxInboundStreams: number
}

/** What the protocol modules need of a host beyond the public interface. */
export interface HostInternals {
  readonly peerId: string
  /** Opens a stream; the protocol is sent with the first write (one round trip less). */
  openStream (peer: string, protocol: string, signal?: AbortSignal): Promise<Stream>
  handle (protocol: string, handler: StreamHandler, options: HandleOptions): void
  /** Requests a client runs on this host, CLIENT_STREAMS_PER_PEER per (protocol, peer). */
  readonly clientLimiter: KeyedLimiter
  /** Request bodies being sent: they share the uplink (sendBodyAndAnswer). */
  readonly bodiesInFlight: BodiesInFlight
  log (line: string): void
}

/** Parses a peer id given as a string; a bad one is the caller's error, not the network's. */
export function parsePeerId (peer: string): PeerId {
  try {
    return peerIdFromString(peer)
  } catch (err) {
    throw new InvalidInputError(`not a peer id: ${String(peer).slice(0, 80)}`, { cause: err })
  }
}

export function peerIdFromPrivateKey (privateKey: Uint8Array): string {
  return peerIdOfKey(privateKeyFromProtobuf(privateKey)).toString()
}

const P2P = 'p2p'

function dialAddress (addr: string, peer: PeerId): Multiaddr {
  let ma: Multiaddr
  try {
    ma = multiaddr(addr)
  } catch (err) {
    throw new InvalidInputError(`not a multiaddr: ${addr.slice(0, 200)}`, { cause: err })
  }
  const named = ma.getComponents().find((c) => c.name === P2P)?.value
  if (named === undefined) return ma.encapsulate(`/${P2P}/${peer.toString()}`)
  if (named !== peer.toString()) throw new InvalidInputError(`address ${addr} names another peer than ${peer.toString()}`)
  return ma
}

function withoutPeer (ma: Multiaddr): string {
  const components = ma.getComponents()
  const at = components.findIndex((c) => c.name === P2P)
  return at < 0 ? ma.toString() : multiaddr(components.slice(0, at)).toString()
}

class Libp2pSiteHost implements SiteHost, HostInternals {
  readonly peerId: string
  readonly clientLimiter = new KeyedLimiter(CLIENT_STREAMS_PER_PEER)
  readonly bodiesInFlight = new BodiesInFlight()
  readonly #node: Libp2p
  readonly #connectListeners: Array<(peerId: string) => void> = []
  readonly #disconnectListeners: Array<(peerId: string) => void> = []

  constructor (node: Libp2p) {
    this.#node = node
    this.peerId = node.peerId.toString()
    node.addEventListener('peer:connect', (event) => { this.#emit(this.#connectListeners, event.detail.toString()) })
    node.addEventListener('peer:disconnect', (event) => { this.#emit(this.#disconnectListeners, event.detail.toString()) })
  }

  #emit (listeners: Array<(peerId: string) => void>, peer: string): void {
    for (const listener of listeners) {
      // A throwing listener must not break libp2p's event dispatch or the other listeners.
      try {
        listener(peer)
      } catch (err) {
        this.log(`resilien wire: a connection listener threw: ${(err as Error).message}`)
      }
    }
  }

  listenAddresses (): string[] {
    return [...new Set(this.#node.getMultiaddrs().map(withoutPeer))]
  }

  async connect (peerId: string, addrs: readonly string[], options?: AbortOptions): Promise<void> {
    const peer = parsePeerId(peerId)
    if (this.isConnected(peerId)) return
    const targets = addrs.map((addr) => dialAddress(addr, peer))
    if (targets.length === 0) throw new InvalidInputError(`no address to dial ${peerId}`)
    await this.#node.dial(targets, options?.signal === undefined ? {} : { signal: options.signal })
  }

  isConnected (peerId: string): boolean {
    let peer: PeerId
    try {
      peer = peerIdFromString(peerId)
    } catch {
      return false
    }
    return this.#node.getConnections(peer).some((c) => c.status === 'open')
  }

  connectedPeers (): string[] {
    return this.#node.getPeers().map((p) => p.toString())
  }

  onConnect (listener: (peerId: string) => void): void {
    this.#connectListeners.push(listener)
  }

  onDisconnect (listener: (peerId: string) => void): void {
    this.#disconnectListeners.push(listener)
  }

  async hangUp (peerId: string): Promise<void> {
    await this.#node.hangUp(parsePeerId(peerId))
  }

  async stop (): Promise<void> {
    await this.#node.stop()
  }

  async openStream (peer: string, protocol: string, signal?: AbortSignal): Promise<Stream> {
    try {
      return await this.#node.dialProtocol(parsePeerId(peer), protocol, { negotiateFully: false, ...(signal === undefined ? {} : { signal }) })
    } catch (err) {
      throw openStreamError(err, protocol, signal?.aborted === true)
    }
  }

  handle (protocol: string, handler: StreamHandler, options: HandleOptions): void {
    // Registration is synchronous inside libp2p; the promise only updates the peer store.
    this.#node.handle(protocol, handler, { maxInboundStreams: options.maxInboundStreams }).catch((err: unknown) => {
      this.log(`resilien wire: cannot serve ${protocol}: ${(err as Error).message}`)
    })
  }

  log (line: string): void {
    console.error(line)
  }
}

/** The internals of a host made by createSiteHost (the protocol modules take a SiteHost). */
export function internals (host: SiteHost): HostInternals {
  if (!(host instanceof Libp2pSiteHost)) throw new InvalidInputError('the host was not made by createSiteHost')
  return host
}

/**
 * @libp2p/tcp spreads `dialOpts` into the options of net.connect, which takes `localAddress`;
 * its type names only a few of those options, hence the widening.
 */
function dialOptions (dialFrom: string | undefined): TCPOptions {
  if (dialFrom === undefined) return {}
  const socket: TCPSocketOptions & { localAddress: string } = { localAddress: dialFrom }
  return { dialOpts: socket }
}

export async function createSiteHost (init: SiteHostInit): Promise<SiteHost> {
  if (!(init?.privateKey instanceof Uint8Array)) throw new InvalidInputError('privateKey must be the bytes of a protobuf-encoded private key')
  if (!Array.isArray(init.listen)) throw new InvalidInputError('listen must be an array of multiaddrs')
  if (typeof init.allowPeer !== 'function') throw new InvalidInputError('allowPeer must be a function')
  let privateKey
  try {
    privateKey = privateKeyFromProtobuf(init.privateKey)
  } catch (err) {
    throw new InvalidInputError('privateKey is not a protobuf-encoded libp2p private key', { cause: err })
  }
  const allow = init.allowPeer
  const deny = (peer: PeerId): boolean => !allow(peer.toString())
  const node = await createLibp2p({
    privateKey,
    addresses: { listen: [...init.listen] },
    transports: [tcp(dialOptions(init.dialFrom))],
    connectionEncrypters: [withBatchedWrites(noise({ crypto: leanNoiseCrypto }))],
    streamMuxers: [yamux({
      streamOptions: { maxStreamWindowSize: STREAM_WINDOW_BYTES, maxReadBufferLength: STREAM_READ_BUFFER_BYTES }
    })],
    connectionGater: {
      denyDialPeer: deny,
      denyInboundEncryptedConnection: deny,
      denyOutboundEncryptedConnection: deny
    },
    connectionManager: { inboundConnectionThreshold: INBOUND_CONNECTION_THRESHOLD }
  }).catch((err: unknown) => {
    // An address this machine does not have, or a port in use: one line, not libp2p's stacks.
    if (err instanceof Error && err.name === 'UnsupportedListenAddressesError') throw new InvalidInputError(describeListenFailure(err), { cause: err })
    throw err
  })
  return new Libp2pSiteHost(node)
}
