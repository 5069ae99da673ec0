import '@resilien/polyfill'
import { setMaxListeners } from 'node:events'
import { CatalogClient, pushLogTo, syncFromPeer } from '@resilien/wire'
import type { SiteHost, SiteInfo, SyncableCatalog } from '@resilien/wire'
import { InsufficientRedundancyError } from '@resilien/types'
import type { AbortOptions, SiteId } from '@resilien/types'
import type { Membership } from './membership.js'

/** Sites that must hold a snapshot's catalog entries before `backup` acknowledges it (this one included). */
export const COMMIT_COPIES = 2
/** How long the commit waits for another site to take the log. */
const REPLICATE_TIMEOUT_MS = 30_000
/** How long a best-effort push to every member (a new member's admission) may take. */
const PUSH_ALL_TIMEOUT_MS = 5_000
/** One sync round with one site gives up after this (the next round tries again). */
const SYNC_ROUND_TIMEOUT_MS = 60_000
/** Concurrent sync rounds (one per peer) that may listen on the stop signal before Node warns. */
const MAX_ROUND_LISTENERS = 64
/** A freshly started site waits this long for a first sync before serving reads anyway. */
export const INITIAL_SYNC_WAIT_MS = 20_000

/** A failure as one line: libp2p rejects with events that are not Errors (StreamResetEvent). */
function describe (err: unknown): string {
  if (err instanceof Error) return err.message
  if (typeof err === 'object' && err !== null && 'type' in err) return `stream ${String((err as { type: unknown }).type)}`
  return String(err)
}

export interface CatalogReplicationInit {
  host: SiteHost
  catalog: SyncableCatalog
  membership: Membership
  interval: number
  log: (line: string) => void
  /** After entries from another site were ingested. */
  onIngested: () => void
}

/**
 * Every site replicates every site's log. Heads are exchanged when a site connects and every
 * `interval`; a site pulls each log where the other is ahead, in bounded batches. A site that
 * was away for a day catches up the same way: the pull is ranges of the logs, not a replay.
 */
export class CatalogReplication {
  readonly client: CatalogClient
  private readonly info = new Map<SiteId, SiteInfo>()
  private readonly syncing = new Map<SiteId, Promise<void>>()
  private timer: NodeJS.Timeout | undefined
  private stopped = false
  private readonly controller = new AbortController()
  private readonly firstSync = Promise.withResolvers<void>()

  constructor (private readonly init: CatalogReplicationInit) {
    // Every sync round with every peer listens on the stop signal while it runs.
    setMaxListeners(MAX_ROUND_LISTENERS, this.controller.signal)
    this.client = new CatalogClient(init.host)
    init.host.onConnect((peer) => {
      if (init.membership.has(peer)) void this.syncWith(peer)
    })
  }

  start (): void {
    if (this.init.membership.others().length === 0) this.firstSync.resolve()
    const tick = (): void => {
      if (this.stopped) return
      for (const peer of this.init.host.connectedPeers()) {
        if (this.init.membership.has(peer)) void this.syncWith(peer)
      }
      this.timer = setTimeout(tick, this.init.interval)
      this.timer.unref()
    }
    this.timer = setTimeout(tick, this.init.interval)
    this.timer.unref()
  }

  stop (): void {
    this.stopped = true
    this.controller.abort()
    if (this.timer !== undefined) clearTimeout(this.timer)
    this.firstSync.resolve()
  }

  /** Resolves after the first completed sync with any site, or after `maxWait`. */
  async ready (maxWait = INITIAL_SYNC_WAIT_MS): Promise<void> {
    let timer: NodeJS.Timeout | undefined
    await Promise.race([this.firstSync.promise, new Promise<void>((resolve) => { timer = setTimeout(resolve, maxWait) })])
    clearTimeout(timer)
  }

  /** Free bytes and load a site reported in its last heads answer. */
  infoOf (site: SiteId): SiteInfo | undefined {
    return this.info.get(site)
  }

  /** One sync round with every connected member now (after a local fact others should see soon). */
  async syncAll (): Promise<void> {
    await Promise.all(this.init.host.connectedPeers().filter((p) => this.init.membership.has(p)).map(async (p) => this.syncWith(p)))
  }

  /** One sync round with `peer`; concurrent calls for one peer share the round. */
  async syncWith (peer: SiteId): Promise<void> {
    const running = this.syncing.get(peer)
    if (running !== undefined) return running
    const round = this.round(peer).finally(() => this.syncing.delete(peer))
    this.syncing.set(peer, round)
    return round
  }

  private async round (peer: SiteId): Promise<void> {
    if (this.stopped) return
    try {
      const signal = AbortSignal.any([this.controller.signal, AbortSignal.timeout(SYNC_ROUND_TIMEOUT_MS)])
      const { ingested, info } = await syncFromPeer(this.client, this.init.catalog, peer, { signal })
      this.info.set(peer, info)
      if (ingested > 0) this.init.onIngested()
      this.firstSync.resolve()
    } catch (err) {
      if (!this.stopped) this.init.log(`resilien: catalog sync with ${this.init.membership.record(peer)?.name ?? peer} failed: ${describe(err)}`)
    }
  }

  /** Pushes this site's log up to `seq` to every connected member but `except`, best effort, briefly. */
  async pushToAll (seq: number, except?: SiteId): Promise<void> {
    const self = this.init.membership.self
    const signal = AbortSignal.timeout(PUSH_ALL_TIMEOUT_MS)
    const peers = this.init.host.connectedPeers().filter((p) => this.init.membership.has(p) && p !== self && p !== except)
    await Promise.allSettled(peers.map(async (peer) => await pushLogTo(this.client, this.init.catalog, peer, self, seq, { signal })))
  }

  /**
   * The commit rule's second half: resolves once at least COMMIT_COPIES - 1 other sites hold
   * this site's log up to `seq`. Throws when no other site takes it in time.
   */
  async replicate (seq: number, options: AbortOptions = {}): Promise<void> {
    const self = this.init.membership.self
    const peers = this.init.host.connectedPeers().filter((p) => this.init.membership.has(p))
    const needed = COMMIT_COPIES - 1
    const signal = AbortSignal.any([...(options.signal === undefined ? [] : [options.signal]), AbortSignal.timeout(REPLICATE_TIMEOUT_MS)])
    let held = 0
    const failures: string[] = []
    const done = Promise.withResolvers<void>()
    let pending = peers.length
    const settle = (): void => {
      if (held >= needed) done.resolve()
      else if (pending === 0) {
        done.reject(new InsufficientRedundancyError(`the snapshot's catalog entries are held by this site only: no other site took them${failures.length === 0 ? ' (no other site is connected)' : ` (${failures.join('; ')})`}`))
      }
    }
    settle()
    for (const peer of peers) {
      pushLogTo(this.client, this.init.catalog, peer, self, seq, { signal }).then((ok) => {
        if (ok) held++
        else failures.push(`${this.init.membership.record(peer)?.name ?? peer}: did not take the entries`)
      }, (err: unknown) => {
        failures.push(`${this.init.membership.record(peer)?.name ?? peer}: ${describe(err)}`)
      }).finally(() => {
        pending--
        settle()
      })
    }
    await done.promise
  }
}
