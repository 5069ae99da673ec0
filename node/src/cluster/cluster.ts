import { createSiteHost, serveCatalog, serveJoin, serveShards } from '@resilien/wire'
import type { JoinRequest, JoinResponse, SiteHost, SyncableCatalog } from '@resilien/wire'
import { survivesDomainLoss } from '@resilien/placement'
import type { Catalog } from '@resilien/catalog'
import type { DiskShardStore } from '@resilien/store'
import { InvalidInputError, Limiter, toHex } from '@resilien/types'
import type { AbortOptions, LogPosition, RepoId, ShardSites, SiteId } from '@resilien/types'
import type { NodeConfig } from '../config.js'
import type { SiteIdentity } from '../identity.js'
import { publicKeyOfPeerId } from '../identity.js'
import { CatalogReplication } from './catalog-replication.js'
import { ClusterPlacement } from './cluster-placement.js'
import { InviteBook } from './invites.js'
import { encodeInviteToken } from './invite-token.js'
import { Liveness } from './liveness.js'
import type { Membership } from './membership.js'
import { createNetworkSites } from './network-sites.js'
import { RepairWorker } from './repair.js'
import { ScrubWorker } from './scrub.js'
import { ShardGc } from './shard-gc.js'
import { describeShortfall, sitesNeededWithout } from './sites-needed.js'

/** Facts that change who is a member. */
const MEMBERSHIP_FACTS = new Set(['site-joined', 'site-retired'])

/** After catalog changes from other sites, the per-site byte counts are recounted at most this often. */
const RECOUNT_DELAY_MS = 5000

export interface ClusterInit {
  dataDir: string
  config: NodeConfig
  identity: SiteIdentity
  identityKey: Uint8Array
  store: DiskShardStore
  catalog: Catalog
  membership: Membership
  log: (line: string) => void
}

/**
 * This site as a member of its cluster: the libp2p host behind a membership gater, the shard,
 * catalog and join protocols, the redial loop, catalog replication and placement. Everything a
 * handler needs about other sites goes through here.
 */
export class Cluster {
  readonly sites: ShardSites
  readonly placement: ClusterPlacement
  readonly liveness: Liveness
  readonly replication: CatalogReplication
  readonly repair: RepairWorker
  readonly scrub: ScrubWorker
  readonly gc: ShardGc
  private ownFree: number | undefined
  private recountTimer: NodeJS.Timeout | undefined
  private freeTimer: NodeJS.Timeout | undefined
  /**
   * Changes of membership (a join admitted, a site retired, this site's record) one at a time:
   * each checks the members (a name taken, enough sites left) before it appends its fact.
   */
  private readonly membershipChanges = new Limiter(1)
  /** Sites being admitted: a member, though the catalog does not say so yet (see dropStrangers). */
  private readonly admitting = new Set<SiteId>()

  private constructor (
    private readonly init: ClusterInit,
    readonly host: SiteHost,
    readonly invites: InviteBook
  ) {
    const { membership, config, log } = init
    const self = membership.self
    this.liveness = new Liveness({ host, membership, redialMax: config.redialMax, log })
    this.replication = new CatalogReplication({
      host,
      catalog: this.syncableCatalog(),
      membership,
      interval: config.syncInterval,
      log,
      onIngested: () => this.scheduleRecount()
    })
    this.placement = new ClusterPlacement({
      membership,
      isUp: (site) => this.liveness.isUp(site),
      freeBytes: (site) => site === self ? this.ownFree : this.replication.infoOf(site)?.freeBytes
    })
    this.sites = createNetworkSites(self, init.store, host, {
      settled: async (site) => await this.liveness.settled(site),
      reconnect: async (site) => await this.liveness.reconnect(site)
    })
    this.repair = new RepairWorker({
      catalog: init.catalog,
      membership,
      liveness: this.liveness,
      sites: this.sites,
      storedBytes: (site) => this.placement.storedBytes(site),
      grace: config.repairGrace,
      rate: config.repairRate,
      interval: config.repairInterval,
      log,
      onMoved: () => this.scheduleRecount()
    })
    this.scrub = new ScrubWorker({
      dataDir: init.dataDir,
      self,
      store: init.store,
      catalog: init.catalog,
      sites: this.sites,
      isUp: (site) => this.liveness.isUp(site),
      rate: config.scrubRate,
      interval: config.scrubInterval,
      log
    })
    this.gc = new ShardGc({ self, store: init.store, catalog: init.catalog, grace: config.gcGrace, interval: config.gcInterval, log })
    const isMember = (peer: string): boolean => membership.has(peer)
    serveShards(host, { store: init.store, isMember, log })
    serveCatalog(host, {
      catalog: this.syncableCatalog(),
      isMember,
      info: async () => {
        const stats = await init.store.stats()
        return { storedBytes: stats.bytes, ...(stats.freeBytes === undefined ? {} : { freeBytes: Math.max(0, stats.freeBytes - config.storeReserve) }) }
      },
      onIngested: () => this.scheduleRecount(),
      log
    })
    serveJoin(host, async (peer, request) => this.admit(peer, request))
    membership.onChange(() => { void this.dropStrangers() })
  }

  static async start (init: ClusterInit): Promise<Cluster> {
    const invites = await InviteBook.open(init.dataDir)
    const host = await createSiteHost({
      privateKey: init.identityKey,
      listen: init.config.listen,
      ...(init.config.dialFrom === '' ? {} : { dialFrom: init.config.dialFrom }),
      // Members only; a stranger gets through only while an invite is pending, and then can
      // open nothing but the join protocol (every other handler checks membership).
      allowPeer: (peer) => init.membership.has(peer) || invites.anyPending()
    })
    const cluster = new Cluster(init, host, invites)
    try {
      await cluster.announce()
      await cluster.refreshFree()
      await cluster.placement.recount(init.catalog)
      cluster.liveness.start()
      cluster.replication.start()
      cluster.repair.start()
      await cluster.scrub.start()
      cluster.gc.start()
      cluster.freeTimer = setInterval(() => { void cluster.refreshFree() }, init.config.syncInterval)
      cluster.freeTimer.unref()
    } catch (err) {
      await cluster.stop()
      throw err
    }
    return cluster
  }

  /** Addresses other sites dial this one at. */
  addresses (): string[] {
    return this.init.config.announce.length > 0 ? this.init.config.announce : this.host.listenAddresses()
  }

  async invite (): Promise<{ token: string, expires: number }> {
    const { secret, expires } = await this.invites.create(this.init.config.inviteTtl)
    const token = encodeInviteToken({ cluster: this.init.config.cluster, peerId: this.init.identity.peerId, addrs: this.addresses(), secret, expires })
    return { token, expires }
  }

  /**
   * Undefined when every live stripe of `repo` survives the loss of any one failure domain,
   * else one line saying how many do not. Streams the repository's stripes once.
   */
  async redundancyShortfall (repo: RepoId, options: AbortOptions = {}): Promise<string | undefined> {
    const { membership, catalog } = this.init
    if (membership.alone()) return 'this cluster has a single site, so no stripe survives its loss'
    let weak = 0
    for await (const stripe of catalog.stripes(repo)) {
      options.signal?.throwIfAborted()
      // Repair can spread a stripe over more sites, but cannot give it parity it was made without.
      if (stripe.m === 0) return 'this repository\'s packs have no parity (m=0), so no snapshot survives the loss of a site that holds one of their shards'
      if (!survivesDomainLoss(stripe, (site) => membership.zoneOf(site))) weak++
    }
    if (weak === 0) return undefined
    return `${weak} stripe${weak === 1 ? '' : 's'} of this repository would not survive the loss of one site (too few sites were up when they were written; \`resilien repair\` spreads them)`
  }

  /**
   * `site retire NAME` (drain: repair moves its shards away while it still answers) or
   * `site lost NAME` (dead: refused from now on, its shards rebuilt without waiting for the grace).
   */
  async retireSite (name: string, lost: boolean): Promise<{ site: SiteId, warning?: string }> {
    return await this.membershipChanges.run(async () => await this.retireNow(name, lost))
  }

  private async retireNow (name: string, lost: boolean): Promise<{ site: SiteId, warning?: string }> {
    const { membership, catalog } = this.init
    const site = membership.byName(name)
    if (site === undefined) throw new InvalidInputError(`no site named "${name}" in this cluster`)
    if (site.site === membership.self) throw new InvalidInputError(`"${name}" is this site: retire it from another site`)
    // A drain that cannot finish is refused before anything is written: the operator would
    // wait for a byte count that never reaches 0. A lost site is gone whatever we answer, so
    // that is recorded, with the shortfall said.
    const left = membership.size() - (membership.isRetired(site.site) ? 0 : 1)
    const needed = await sitesNeededWithout(catalog.stripes(), site.site)
    const short = needed !== undefined && needed.sites > left ? describeShortfall(needed, left) : undefined
    if (short !== undefined && !lost) throw new InvalidInputError(`${name} cannot retire: ${short}; add a site first (\`resilien invite\`), then retire ${name}`)
    const upTo = lost ? await this.lostLogEnd(site.site) : undefined
    await catalog.append([{ type: 'site-retired', site: site.site, lost, ...(upTo === undefined ? {} : { upTo }) }])
    await membership.refresh()
    if (lost) await this.host.hangUp(site.site).catch(() => {})
    void this.replication.syncAll()
    return { site: site.site, ...(short === undefined ? {} : { warning: `${name}: ${short}, so those packs stay one shard short until a site joins (\`resilien invite\`)` }) }
  }

  /**
   * Where a lost site's log ends for the cluster: the furthest this site holds after one sync
   * round with the members it reaches, so that what the lost site committed (its entries reached
   * a second site before its backups were acknowledged) stays. Other members may record further
   * ends; the furthest counts.
   */
  private async lostLogEnd (site: SiteId): Promise<LogPosition | undefined> {
    await this.replication.syncAll()
    const head = (await this.init.catalog.heads()).get(site)
    return head === undefined || head.seq === 0 ? undefined : { seq: head.seq, hash: head.hash }
  }

  async stop (): Promise<void> {
    await this.repair.stop()
    await this.scrub.stop()
    await this.gc.stop()
    this.liveness.stop()
    this.replication.stop()
    if (this.recountTimer !== undefined) clearTimeout(this.recountTimer)
    if (this.freeTimer !== undefined) clearInterval(this.freeTimer)
    await this.host.stop()
  }

  private syncableCatalog (): SyncableCatalog {
    const { catalog, membership } = this.init
    return {
      heads: async () => catalog.heads(),
      entries: (site, from, to) => catalog.entries(site, from, to),
      ingest: async (entries) => {
        const count = await catalog.ingest(entries)
        // A new, retired or lost member may be in this batch: later logs of the same round, the
        // gater and repair need to know it.
        if (count > 0 && entries.some((e) => MEMBERSHIP_FACTS.has((e as { fact?: { type?: string } }).fact?.type ?? ''))) await membership.refresh()
        return count
      }
    }
  }

  private scheduleRecount (): void {
    if (this.recountTimer !== undefined) return
    this.recountTimer = setTimeout(() => {
      this.recountTimer = undefined
      this.placement.recount(this.init.catalog).catch((err: unknown) => this.init.log(`resilien: recount failed: ${(err as Error).message}`))
    }, RECOUNT_DELAY_MS)
    this.recountTimer.unref()
  }

  private async refreshFree (): Promise<void> {
    const stats = await this.init.store.stats().catch(() => undefined)
    if (stats?.freeBytes !== undefined) this.ownFree = Math.max(0, stats.freeBytes - this.init.config.storeReserve)
  }

  /** Records this site's current name, zone and addresses when the catalog has older ones. */
  private async announce (): Promise<void> {
    await this.membershipChanges.run(async () => await this.announceNow())
  }

  private async announceNow (): Promise<void> {
    const { membership, config, identity, catalog } = this.init
    const addrs = this.addresses()
    const known = membership.record(identity.peerId)
    if (known !== undefined && known.name === config.name && known.zone === config.zone && known.addrs.join(' ') === addrs.join(' ')) return
    await catalog.append([{ type: 'site-joined', site: identity.peerId, name: config.name, zone: config.zone, addrs, publicKey: toHex(identity.publicKey) }])
    await membership.refresh()
  }

  /** The inviter's side of `resilien join`. */
  private async admit (peer: SiteId, request: JoinRequest): Promise<JoinResponse> {
    return await this.membershipChanges.run(async () => {
      this.admitting.add(peer)
      try {
        return await this.admitNow(peer, request)
      } finally {
        this.admitting.delete(peer)
      }
    })
  }

  private async admitNow (peer: SiteId, request: JoinRequest): Promise<JoinResponse> {
    const { membership, config, catalog } = this.init
    if (request.cluster !== config.cluster) throw new InvalidInputError('this invite is for another cluster')
    const publicKey = publicKeyOfPeerId(peer)
    if (publicKey === undefined) throw new InvalidInputError('only Ed25519 peer ids can join')
    const clash = membership.records().find((s) => s.name === request.name && s.site !== peer)
    if (clash !== undefined) throw new InvalidInputError(`a site named "${request.name}" is already a member: choose another --name`)
    await this.invites.redeem(request.secret)
    const [entry] = await catalog.append([{ type: 'site-joined', site: peer, name: request.name, zone: request.zone, addrs: request.addrs, publicKey: toHex(publicKey) }])
    await membership.refresh()
    // Tell the members now, so that their gaters let the new site in as soon as it starts.
    if (entry !== undefined) await this.replication.pushToAll(entry.seq, peer)
    this.init.log(`resilien: site ${request.name} (${peer}) joined the cluster`)
    const members = membership.records().map((s) => ({ peerId: s.site, name: s.name, addrs: s.site === membership.self ? this.addresses() : s.addrs }))
    return { cluster: config.cluster, members }
  }

  /** Closes connections of peers that are no longer allowed (e.g. a stranger let in by an invite that was then used). */
  private async dropStrangers (): Promise<void> {
    if (this.invites.anyPending()) return
    for (const peer of this.host.connectedPeers()) {
      // A site being admitted has used its invite and is not in the catalog yet: not a stranger.
      if (!this.init.membership.has(peer) && !this.admitting.has(peer)) await this.host.hangUp(peer).catch(() => {})
    }
  }
}
