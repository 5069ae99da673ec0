import { InvalidInputError } from '@resilien/types'
import type { Placement, SiteId, StripeRecord } from '@resilien/types'
import { DEFAULT_FREE_SPACE_MARGIN, FULL_SITE_PAUSE_MS } from './constants.js'
import { InsufficientDomainsError } from './errors.js'
import { LoadLedger } from './load-ledger.js'
import { readCosts, readOrder } from './read-order.js'
import { ORDER_LANE, SELECTION_LANE, SiteScores } from './site-scores.js'
import type { DomainPlacementInit, PlaceOptions, SiteView } from './types.js'

/** A site that may take a shard of the stripe being placed. */
interface Candidate {
  site: SiteId
  /** storedBytes plus bytes recorded since the catalog last showed growth. */
  load: number
  score: number
  /** Shards of this stripe given to it so far. */
  count: number
}

interface Zone {
  name: string
  sites: Candidate[]
  count: number
}

function assertSize (what: string, value: unknown): void {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
    throw new InvalidInputError(`${what} must be a non-negative number, not ${String(value)}`)
  }
}

function assertRedundancy (k: number, m: number): void {
  if (!Number.isSafeInteger(k) || k < 1 || !Number.isSafeInteger(m) || m < 0) {
    throw new InvalidInputError(`a stripe needs integers k >= 1 and m >= 0, not k=${String(k)} m=${String(m)}`)
  }
}

function assertViews (views: readonly SiteView[]): void {
  const seen = new Set<SiteId>()
  for (const view of views) {
    if (seen.has(view.site)) throw new InvalidInputError(`site ${view.site} appears twice in the placement view`)
    seen.add(view.site)
    assertSize(`storedBytes of site ${view.site}`, view.storedBytes)
    if (view.freeBytes !== undefined) assertSize(`freeBytes of site ${view.site}`, view.freeBytes)
  }
}

/** A replacement in a zone of its own first, then the less loaded (in whole shards), then the higher score. */
function betterReplacement (a: { sharesZone: boolean, bucket: number, score: number }, b: { sharesZone: boolean, bucket: number, score: number }): boolean {
  if (a.sharesZone !== b.sharesZone) return !a.sharesZone
  if (a.bucket !== b.bucket) return a.bucket < b.bucket
  return a.score > b.score
}

/**
 * Places each stripe's k + m shards on k + m distinct failure domains (zones), least loaded
 * first, so that small grids fill evenly; see README.md for the rules.
 */
export class DomainPlacement implements Placement {
  readonly #self: SiteId
  readonly #sites: () => readonly SiteView[]
  readonly #margin: number
  readonly #ledger = new LoadLedger()
  readonly #scores = new SiteScores()
  /** Sites that answered "no room", with the time (ms) until which they take no new shards. */
  readonly #pausedUntil = new Map<SiteId, number>()

  constructor (init: DomainPlacementInit) {
    if (typeof init.self !== 'string' || init.self === '') throw new InvalidInputError('placement needs its own site id')
    if (typeof init.sites !== 'function') throw new InvalidInputError('placement needs a sites() view')
    const margin = init.freeSpaceMargin ?? DEFAULT_FREE_SPACE_MARGIN
    assertSize('freeSpaceMargin', margin)
    this.#self = init.self
    this.#sites = init.sites
    this.#margin = margin
  }

  /**
   * k + m sites in shard order. Throws InsufficientDomainsError when fewer than k + m zones are
   * up with room for a shard, unless allowDegraded and at least one site can take shards.
   */
  place (k: number, m: number, options: PlaceOptions = {}): SiteId[] {
    assertRedundancy(k, m)
    const shardSize = options.shardSize ?? 0
    assertSize('shardSize', shardSize)
    const seed = options.seed ?? ''
    if (typeof seed !== 'string') throw new InvalidInputError('the placement seed must be a string')
    const views = this.#sites()
    assertViews(views)
    this.#ledger.observe(views)

    const seedWords = this.#scores.seedWords(seed)
    const zones = new Map<string, Zone>()
    let fullSites = 0
    for (const view of views) {
      if (!view.up) continue
      if (!this.#hasRoom(view, shardSize)) {
        fullSites++
        continue
      }
      const pending = this.#ledger.pending(view.site)
      let zone = zones.get(view.zone)
      if (zone === undefined) {
        zone = { name: view.zone, sites: [], count: 0 }
        zones.set(view.zone, zone)
      }
      const score = this.#scores.score(seedWords, view.site, SELECTION_LANE)
      zone.sites.push({ site: view.site, load: view.storedBytes + pending, score, count: 0 })
    }

    const total = k + m
    if (zones.size < total && (options.allowDegraded !== true || zones.size === 0)) {
      throw new InsufficientDomainsError(k, m, [...zones.keys()].sort(), fullSites)
    }
    const picks = this.#pick([...zones.values()], total, shardSize)
    return this.#shardOrder(picks, seedWords)
  }

  /**
   * Another site for shard `index` of a stripe being written to `sites`, after its site had no
   * room (Placement.replaceFull): among the live sites with room that hold no shard of the
   * stripe, one in a zone the stripe does not use yet, least loaded first; when degraded is
   * allowed and no such zone is left, any of them.
   */
  replaceFull (sites: readonly SiteId[], index: number, options: PlaceOptions = {}): SiteId | undefined {
    const full = sites[index]
    if (full === undefined) throw new InvalidInputError(`no shard ${index} in a stripe of ${sites.length}`)
    this.#pausedUntil.set(full, Date.now() + FULL_SITE_PAUSE_MS)
    const shardSize = options.shardSize ?? 0
    const views = this.#sites()
    this.#ledger.observe(views)
    const zoneOf = new Map(views.map((v) => [v.site, v.zone]))
    const usedZones = new Set(sites.flatMap((site, i) => i === index ? [] : [zoneOf.get(site)]))
    const seedWords = this.#scores.seedWords(options.seed ?? '')
    const unit = shardSize > 0 ? shardSize : 1
    let best: { site: SiteId, sharesZone: boolean, bucket: number, score: number } | undefined
    for (const view of views) {
      if (!view.up || sites.includes(view.site) || !this.#hasRoom(view, shardSize)) continue
      const sharesZone = usedZones.has(view.zone)
      if (sharesZone && options.allowDegraded !== true) continue
      const candidate = {
        site: view.site,
        sharesZone,
        bucket: Math.floor((view.storedBytes + this.#ledger.pending(view.site)) / unit),
        score: this.#scores.score(seedWords, view.site, SELECTION_LANE)
      }
      if (best === undefined || betterReplacement(candidate, best)) best = candidate
    }
    return best?.site
  }

  /** Whether `view` may take a shard of `shardSize`: not paused after a refusal, and room as last reported beyond what was placed since. */
  #hasRoom (view: SiteView, shardSize: number): boolean {
    const paused = this.#pausedUntil.get(view.site)
    if (paused !== undefined) {
      if (Date.now() < paused) return false
      this.#pausedUntil.delete(view.site)
    }
    return view.freeBytes === undefined || view.freeBytes - this.#ledger.pending(view.site) >= shardSize + this.#margin
  }

  /** Indices of stripe.shards in the order to try reads: live and local data shards first. */
  readOrder (stripe: StripeRecord): number[] {
    const up = this.#upSites()
    return readOrder(stripe, this.#self, (site) => up.has(site))
  }

  /** Per shard of a stripe, what reading it costs (read-order.ts). */
  readCosts (stripe: StripeRecord): number[] {
    const up = this.#upSites()
    return readCosts(stripe, this.#self, (site) => up.has(site))
  }

  #upSites (): Set<SiteId> {
    const up = new Set<SiteId>()
    for (const view of this.#sites()) if (view.up) up.add(view.site)
    return up
  }

  /** Tell the placement that bytes were placed (so successive packs spread before the catalog catches up). */
  recordPlaced (sites: readonly SiteId[], shardSize: number): void {
    assertSize('shardSize', shardSize)
    for (const site of sites) this.#ledger.record(site, shardSize)
  }

  /**
   * Greedy, one shard at a time: the zone with fewest shards of this stripe, then the least
   * loaded; within it the site with fewest shards of this stripe, then the least loaded. Loads
   * less than one shard apart tie, so writers that see the same catalog still spread (the
   * rendezvous score decides), and the spread stays within about one shard per site.
   */
  #pick (zones: Zone[], total: number, shardSize: number): Candidate[] {
    const unit = shardSize > 0 ? shardSize : 1
    const bucket = (c: Candidate): number => Math.floor((c.load + c.count * shardSize) / unit)
    const before = (a: Candidate, b: Candidate): boolean => {
      if (a.count !== b.count) return a.count < b.count
      const la = bucket(a)
      const lb = bucket(b)
      if (la !== lb) return la < lb
      if (a.score !== b.score) return a.score > b.score
      return a.site < b.site
    }
    const picks: Candidate[] = []
    for (let i = 0; i < total; i++) {
      let bestZone: Zone | undefined
      let bestSite: Candidate | undefined
      for (const zone of zones) {
        let site = zone.sites[0] as Candidate
        for (const other of zone.sites) if (before(other, site)) site = other
        if (bestZone === undefined || bestSite === undefined || zone.count < bestZone.count ||
          (zone.count === bestZone.count && before(site, bestSite))) {
          bestZone = zone
          bestSite = site
        }
      }
      if (bestZone === undefined || bestSite === undefined) break
      bestZone.count++
      bestSite.count++
      picks.push(bestSite)
    }
    return picks
  }

  /**
   * Which site gets data shard 0 etc. rotates with the seed, so reads (which go to data shards)
   * spread over the sites. A site with several shards (degraded mode) gets its first before any
   * site gets a second, so data shards spread over as many sites as possible.
   */
  #shardOrder (picks: Candidate[], seedWords: Uint32Array): SiteId[] {
    const seen = new Map<SiteId, number>()
    const keyed = picks.map((pick) => {
      const round = seen.get(pick.site) ?? 0
      seen.set(pick.site, round + 1)
      return { site: pick.site, round, order: this.#scores.score(seedWords, pick.site, ORDER_LANE) }
    })
    keyed.sort((a, b) => a.round - b.round || b.order - a.order || (a.site < b.site ? -1 : a.site > b.site ? 1 : 0))
    return keyed.map((entry) => entry.site)
  }
}
