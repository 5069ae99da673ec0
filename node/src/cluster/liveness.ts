import type { SiteHost } from '@resilien/wire'
import type { SiteId } from '@resilien/types'
import type { Membership } from './membership.js'

/** First wait before redialling a site that could not be reached; it doubles up to `redialMax`. */
const FIRST_REDIAL_MS = 1000
/** How often the loop looks for sites due a dial. */
const TICK_MS = 500
/** A dial that takes longer is abandoned (the next one comes after the backoff). */
const DIAL_TIMEOUT_MS = 10_000
/** ±20 % on each wait, so sites that lost each other do not redial in lockstep. */
const JITTER = 0.2

interface SiteLiveness {
  lastSeen: number | undefined
  nextDial: number
  backoff: number
  /** The dial under way, if any. */
  dialing: Promise<void> | undefined
}

export interface LivenessInit {
  host: SiteHost
  membership: Membership
  redialMax: number
  log: (line: string) => void
  now?: () => number
}

/**
 * Keeps this site connected to every other member, forever: libp2p redials a lost peer a few
 * times and then gives up, and never retries a dial that failed at start. Up means connected
 * now; lastSeen is the last moment a connection was open.
 */
export class Liveness {
  private readonly state = new Map<SiteId, SiteLiveness>()
  private timer: NodeJS.Timeout | undefined
  private readonly now: () => number
  /** Sites not seen since this node started count as down from its start: a restart does not make them overdue. */
  private readonly startedAt: number

  constructor (private readonly init: LivenessInit) {
    this.now = init.now ?? Date.now
    this.startedAt = this.now()
    init.host.onConnect((peer) => {
      const s = this.entry(peer)
      s.lastSeen = this.now()
      s.backoff = FIRST_REDIAL_MS
      init.log(`resilien: connected to site ${this.nameOf(peer)}`)
    })
    init.host.onDisconnect((peer) => {
      if (!init.membership.has(peer)) return
      const s = this.entry(peer)
      s.lastSeen = this.now()
      s.nextDial = this.now() + FIRST_REDIAL_MS
      init.log(`resilien: lost the connection to site ${this.nameOf(peer)}`)
    })
  }

  start (): void {
    const tick = (): void => {
      this.dialDue()
      this.timer = setTimeout(tick, TICK_MS)
      this.timer.unref()
    }
    tick()
  }

  stop (): void {
    if (this.timer !== undefined) clearTimeout(this.timer)
    this.timer = undefined
  }

  isUp (site: SiteId): boolean {
    return site === this.init.membership.self || this.init.host.isConnected(site)
  }

  lastSeen (site: SiteId): number | undefined {
    if (this.isUp(site)) return this.now()
    return this.state.get(site)?.lastSeen
  }

  /** How long a site has been unreachable as far as this node knows (0 when up). */
  unreachableFor (site: SiteId): number {
    if (this.isUp(site)) return 0
    return this.now() - (this.state.get(site)?.lastSeen ?? this.startedAt)
  }

  private entry (site: SiteId): SiteLiveness {
    let s = this.state.get(site)
    if (s === undefined) {
      s = { lastSeen: undefined, nextDial: 0, backoff: FIRST_REDIAL_MS, dialing: undefined }
      this.state.set(site, s)
    }
    return s
  }

  private nameOf (site: SiteId): string {
    return this.init.membership.record(site)?.name ?? site
  }

  private dialDue (): void {
    const now = this.now()
    for (const peer of this.init.membership.others()) {
      if (this.init.host.isConnected(peer.peerId) || peer.addrs.length === 0) continue
      const s = this.entry(peer.peerId)
      if (s.dialing !== undefined || s.nextDial > now) continue
      void this.dial(peer.peerId, peer.addrs)
    }
  }

  private async dial (site: SiteId, addrs: readonly string[]): Promise<void> {
    const s = this.entry(site)
    s.dialing ??= (async () => {
      try {
        await this.init.host.connect(site, addrs, { signal: AbortSignal.timeout(DIAL_TIMEOUT_MS) })
      } catch {
        const wait = s.backoff * (1 + JITTER * (2 * Math.random() - 1))
        s.nextDial = this.now() + wait
        s.backoff = Math.min(s.backoff * 2, this.init.redialMax)
      } finally {
        s.dialing = undefined
      }
    })()
    await s.dialing
  }

  /**
   * Waits for a dial of `site` that is under way (a node that just started is still connecting
   * to its members); resolves at once when none is. A site that is down and backing off is not
   * dialled here, so reads of a dead site fail fast and go to the other shards.
   */
  async settled (site: SiteId): Promise<void> {
    await this.state.get(site)?.dialing
  }

  /**
   * Dials a member now, whatever its backoff (a transfer to it was just cut and is about to be
   * retried); joins a dial under way. Resolves when connected or the dial failed.
   */
  async reconnect (site: SiteId): Promise<void> {
    if (this.init.host.isConnected(site)) return
    const peer = this.init.membership.others().find((p) => p.peerId === site)
    if (peer === undefined || peer.addrs.length === 0) return
    await this.dial(site, peer.addrs)
  }
}
