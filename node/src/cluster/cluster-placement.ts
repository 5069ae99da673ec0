import { DomainPlacement } from '@resilien/placement'
import type { SiteView } from '@resilien/placement'
import type { Catalog } from '@resilien/catalog'
import type { PlaceOptions, Placement, SiteId, StripeRecord } from '@resilien/types'
import type { Membership } from './membership.js'

export interface ClusterPlacementInit {
  membership: Membership
  isUp: (site: SiteId) => boolean
  /** Free bytes a site last reported (this site: its own store), undefined when unknown. */
  freeBytes: (site: SiteId) => number | undefined
}

/**
 * The node's placement: DomainPlacement over the live membership, fed with the bytes each site
 * holds according to the catalog (recounted after catalog changes); DomainPlacement adds what
 * this site placed since. A cluster of one site puts every shard on itself: such stripes survive no site loss,
 * and `status` says so.
 */
/** Slack kept on a site beyond the shard (its own reserve is already taken off its free bytes). */
const SITE_FREE_MARGIN = 0

export class ClusterPlacement implements Placement {
  private readonly stored = new Map<SiteId, number>()
  private readonly inner: DomainPlacement
  private recounting: Promise<void> | undefined
  private recountAgain = false

  constructor (private readonly init: ClusterPlacementInit) {
    // The free bytes each site reports are already net of its own store reserve (which may
    // differ from the default), and shards in flight are counted by the placement's ledger: no
    // second margin, or a small disk would never be given a shard at all.
    this.inner = new DomainPlacement({ self: init.membership.self, sites: () => this.views(), freeSpaceMargin: SITE_FREE_MARGIN })
  }

  place (k: number, m: number, options: PlaceOptions = {}): SiteId[] {
    const self = this.init.membership.self
    if (this.init.membership.alone()) return new Array<SiteId>(k + m).fill(self)
    const sites = this.inner.place(k, m, options)
    // Counted now, so the next pack spreads before the catalog recount sees this one.
    this.inner.recordPlaced(sites, options.shardSize ?? 0)
    return sites
  }

  readOrder (stripe: StripeRecord): number[] {
    return this.inner.readOrder(stripe)
  }

  readCosts (stripe: StripeRecord): number[] {
    return this.inner.readCosts(stripe)
  }

  replaceFull (sites: readonly SiteId[], index: number, options: PlaceOptions = {}): SiteId | undefined {
    if (this.init.membership.alone()) return undefined
    const site = this.inner.replaceFull(sites, index, options)
    if (site !== undefined) this.inner.recordPlaced([site], options.shardSize ?? 0)
    return site
  }

  /** Bytes of shards the catalog places on `site` (as of the last recount). */
  storedBytes (site: SiteId): number {
    return this.stored.get(site) ?? 0
  }

  /** Recounts the bytes per site from the catalog's live stripes (one streaming pass, a number per site in memory). */
  async recount (catalog: Pick<Catalog, 'stripes'>): Promise<void> {
    if (this.recounting !== undefined) {
      this.recountAgain = true
      return this.recounting
    }
    this.recounting = (async () => {
      do {
        this.recountAgain = false
        const totals = new Map<SiteId, number>()
        for await (const stripe of catalog.stripes()) {
          for (const shard of stripe.shards) totals.set(shard.site, (totals.get(shard.site) ?? 0) + shard.size)
        }
        this.stored.clear()
        for (const [site, bytes] of totals) this.stored.set(site, bytes)
      } while (this.recountAgain)
    })().finally(() => { this.recounting = undefined })
    return this.recounting
  }

  private views (): SiteView[] {
    const self = this.init.membership.self
    const ids = new Set([self, ...this.init.membership.others().map((p) => p.peerId)])
    // Retired and lost sites take no new shards.
    return [...ids].filter((site) => !this.init.membership.isRetired(site)).map((site) => {
      const free = this.init.freeBytes(site)
      return {
        site,
        zone: this.init.membership.zoneOf(site),
        up: this.init.isUp(site),
        storedBytes: this.stored.get(site) ?? 0,
        ...(free === undefined ? {} : { freeBytes: free })
      }
    })
  }
}
