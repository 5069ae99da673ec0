import { createConnection, createServer } from 'node:net'
import type { AddressInfo, Server, Socket } from 'node:net'

/** What the proxy does to the traffic through it; changed at any time. */
export interface FaultRules {
  /** Added before each piece of data is passed on, both ways (order kept). */
  delayMs: number
  /** Connections from these source addresses are cut, and new ones refused at once. */
  blocked: ReadonlySet<string>
  /**
   * Cuts `count` connections (those open when the rule is set first, then new ones), each after
   * `afterBytes` more bytes passed through it (both ways together): a fibre cut in the middle of
   * a transfer.
   */
  cut?: { afterBytes: number, count: number }
}

interface Link {
  peer: Socket
  source: string
  /** Bytes through this connection so far, and the count at which it is cut. */
  passed: number
  cutAt: number
}

export interface ProxyStats {
  connections: number
  refused: number
  cut: number
  bytes: number
}

/**
 * A TCP proxy in front of one site, on loopback: the other sites dial it instead of the site.
 * Each site dials from its own loopback address (RESILIEN_DIAL_FROM), so the proxy knows who is
 * calling and can partition the cluster by source address. Real sockets all the way.
 */
export class FaultProxy {
  rules: FaultRules = { delayMs: 0, blocked: new Set() }
  readonly stats: ProxyStats = { connections: 0, refused: 0, cut: 0, bytes: 0 }
  private readonly open = new Map<Socket, Link>()
  private server: Server | undefined

  constructor (private readonly host: string, private readonly target: { host: string, port: number }) {}

  /** Starts listening on `host` at a free port; resolves to the port. */
  async start (): Promise<number> {
    const server = createServer((client) => { this.accept(client) })
    this.server = server
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject)
      server.listen(0, this.host, () => resolve())
    })
    return (server.address() as AddressInfo).port
  }

  /** Applies new rules; connections from newly blocked sources are cut now. */
  set (rules: Partial<FaultRules>): void {
    this.rules = { ...this.rules, ...rules }
    for (const [client, link] of this.open) {
      if (this.rules.blocked.has(link.source)) {
        this.cutPair(client, link.peer)
      } else if (rules.cut !== undefined) {
        // A new cut rule replaces the old one, also on the connections it had armed.
        link.cutAt = Infinity
        this.armCut(link)
      }
    }
  }

  /** Gives a connection its cut point if the cut rule has connections left to cut. */
  private armCut (link: Link): void {
    const cut = this.rules.cut
    if (cut === undefined || cut.count <= 0 || link.cutAt !== Infinity) return
    link.cutAt = link.passed + cut.afterBytes
    this.rules = { ...this.rules, cut: { ...cut, count: cut.count - 1 } }
  }

  async stop (): Promise<void> {
    for (const [client, { peer }] of this.open) this.cutPair(client, peer)
    await new Promise<void>((resolve) => this.server?.close(() => resolve()) ?? resolve())
  }

  private accept (client: Socket): void {
    const source = client.remoteAddress ?? ''
    if (this.rules.blocked.has(source)) {
      this.stats.refused++
      client.destroy()
      return
    }
    this.stats.connections++
    const peer = createConnection(this.target)
    const link: Link = { peer, source, passed: 0, cutAt: Infinity }
    this.open.set(client, link)
    this.armCut(link)
    const forward = (from: Socket, to: Socket): void => {
      // One chain of timers per direction keeps the bytes in order under a delay.
      let chain = Promise.resolve()
      from.on('data', (data: Buffer) => {
        link.passed += data.byteLength
        this.stats.bytes += data.byteLength
        const cutNow = link.passed >= link.cutAt
        if (cutNow) link.cutAt = Infinity
        chain = chain.then(async () => {
          if (this.rules.delayMs > 0) await new Promise((resolve) => setTimeout(resolve, this.rules.delayMs))
          // The far end reads slower than this end sends (a site busy writing to its disk):
          // hold the sender back, as a real link's window would, instead of queueing without end.
          if (!to.destroyed && !to.write(data)) {
            from.pause()
            to.once('drain', () => from.resume())
          }
        })
        if (cutNow) {
          this.stats.cut++
          void chain.then(() => this.cutPair(client, peer))
        }
      })
      from.on('end', () => { void chain.then(() => to.end()) })
    }
    forward(client, peer)
    forward(peer, client)
    const close = (): void => this.cutPair(client, peer)
    client.on('error', close)
    peer.on('error', close)
    client.on('close', close)
    peer.on('close', close)
  }

  private cutPair (client: Socket, peer: Socket): void {
    this.open.delete(client)
    // resetAndDestroy: the far ends see a reset, as when a line is cut, not a clean close.
    if (!client.destroyed) client.resetAndDestroy()
    if (!peer.destroyed) peer.resetAndDestroy()
  }
}
