import type { Catalog } from '@resilien/catalog'
import type { RetiredSite, SiteId, SiteRecord } from '@resilien/types'
import type { BootstrapPeer } from '../config.js'

/**
 * Who belongs to the cluster, as this site knows it: every site the catalog has a
 * `site-joined` fact about, plus the bootstrap peers of the config (a freshly joined site trusts
 * the members its inviter named until its catalog has caught up). Held in memory: a cluster
 * has a handful of sites, never a number that grows with the data.
 *
 * Members are trusted with each other's logs: a member relays any member's entries, and a site
 * is admitted by one member's `site-joined` fact (see README: what this does not guarantee).
 */
export class Membership {
  private sites = new Map<SiteId, SiteRecord>()
  private retired = new Map<SiteId, RetiredSite>()
  private readonly bootstrap: Map<SiteId, BootstrapPeer>
  private readonly listeners: Array<() => void> = []

  constructor (
    readonly self: SiteId,
    private readonly catalog: Pick<Catalog, 'sites' | 'retiredSites'>,
    bootstrap: readonly BootstrapPeer[]
  ) {
    this.bootstrap = new Map(bootstrap.map((p) => [p.peerId, p]))
  }

  /** Re-reads the sites from the catalog; call after anything appended or ingested a site fact. */
  async refresh (): Promise<void> {
    const next = new Map<SiteId, SiteRecord>()
    for await (const site of this.catalog.sites()) next.set(site.site, site)
    const retired = new Map<SiteId, RetiredSite>()
    for await (const site of this.catalog.retiredSites()) retired.set(site.site, site)
    const changed = next.size !== this.sites.size || [...next.keys()].some((s) => !this.sites.has(s)) ||
      [...retired.values()].some((r) => this.retired.get(r.site)?.lost !== r.lost)
    this.sites = next
    this.retired = retired
    if (changed) for (const listener of this.listeners) listener()
  }

  /** Called when a site was added. */
  onChange (listener: () => void): void {
    this.listeners.push(listener)
  }

  /** A member may connect and use the protocols; a site declared lost is not one any more. */
  has (site: SiteId): boolean {
    if (this.retired.get(site)?.lost === true) return false
    return this.sites.has(site) || this.bootstrap.has(site)
  }

  /**
   * A site declared lost with the end of its log recorded: no longer a member, but what it signed
   * up to that end still verifies against its key (the catalog takes nothing past it). A site
   * that joins later needs that log: the repositories and snapshots the lost site made.
   */
  loggedUntilLost (site: SiteId): boolean {
    const retired = this.retired.get(site)
    return retired?.lost === true && retired.upTo !== undefined
  }

  /** Retired (being drained) or lost: gets no new shards, and repair moves its shards away. */
  isRetired (site: SiteId): boolean {
    return this.retired.has(site)
  }

  record (site: SiteId): SiteRecord | undefined {
    return this.sites.get(site)
  }

  /** Sites the catalog knows, without those declared lost (bootstrap peers not yet in the catalog are left out). */
  records (): SiteRecord[] {
    return [...this.sites.values()].filter((s) => this.retired.get(s.site)?.lost !== true)
  }

  /** A site by its name (names are unique among members). */
  byName (name: string): SiteRecord | undefined {
    return this.records().find((s) => s.name === name)
  }

  /** Every other member with the addresses to dial it at (catalog first, then bootstrap). */
  others (): BootstrapPeer[] {
    const out = new Map<SiteId, BootstrapPeer>()
    for (const peer of this.bootstrap.values()) if (peer.peerId !== this.self && this.has(peer.peerId)) out.set(peer.peerId, peer)
    for (const site of this.sites.values()) {
      if (site.site === this.self || !this.has(site.site)) continue
      const extra = out.get(site.site)?.addrs ?? []
      out.set(site.site, { peerId: site.site, addrs: [...new Set([...site.addrs, ...extra])] })
    }
    return [...out.values()]
  }

  /** Number of active sites (not retired or lost), counting bootstrap peers the catalog does not know yet. */
  size (): number {
    const all = new Set([...this.sites.keys(), ...this.bootstrap.keys(), this.self])
    for (const site of this.retired.keys()) all.delete(site)
    return Math.max(1, all.size)
  }

  /**
   * Fewer than two active members, as size() counts them (retired and lost sites out, bootstrap
   * peers the catalog does not know yet in): new packs put every shard on this site. Older
   * stripes may still have shards on a retired site, or miss a lost one's.
   */
  alone (): boolean {
    return this.size() <= 1
  }

  zoneOf (site: SiteId): string {
    // Unknown sites are their own failure domain: the conservative answer.
    return this.sites.get(site)?.zone ?? `site:${site}`
  }
}
