import type { ErasureBackend } from '@resilien/erasure'
import type { Catalog } from '@resilien/catalog'
import { NotEnoughShardsError } from '@resilien/types'
import type { ShardSites, SiteId, StripeRecord } from '@resilien/types'
import type { Liveness } from './liveness.js'
import type { Membership } from './membership.js'
import type { RepairResult } from '@resilien/control'
import { PeriodicPass } from './periodic-pass.js'
import { ByteRateLimit } from './rate-limit.js'
import { rebuildShards } from './rebuild-shards.js'
import { chooseRepairTarget } from './repair-target.js'
import type { TargetCandidate } from './repair-target.js'
import { crowdedShards, planSpread } from './spread-plan.js'
import type { SpreadMove } from './spread-plan.js'

/** After a failed repair of a stripe, the next attempt waits this long, doubling up to the cap. */
const FIRST_BACKOFF_MS = 5_000
const MAX_BACKOFF_MS = 10 * 60_000
/** Stripes whose repair failed and wait: bounded, the oldest forgotten first (they are found again by the next pass). */
const MAX_BACKOFF_ENTRIES = 10_000

export interface RepairInit {
  catalog: Catalog
  membership: Membership
  liveness: Liveness
  sites: ShardSites
  storedBytes: (site: SiteId) => number
  grace: number
  rate: number
  interval: number
  log: (line: string) => void
  erasure?: ErasureBackend
  /** After a pass that moved shards: the bytes per site should be recounted. */
  onMoved?: () => void
}

/** What one pass did: the control API's RepairResult. */
export type RepairReport = RepairResult

/**
 * Rebalancing moves a shard only when its site holds more than the target by this many shards'
 * worth of bytes (and by REBALANCE_MIN_SHARE of its load): enough slack that sites do not pass
 * shards back and forth.
 */
const REBALANCE_SLACK_SHARDS = 2
const REBALANCE_MIN_SHARE = 0.1
/**
 * After a pass that moved shards to even the load, the next passes do not rebalance for this
 * long: the bytes per site come from a catalog recount that lags behind moves (several sites
 * move shards at once), and deciding again on stale counts would pass shards back and forth.
 */
const REBALANCE_COOLDOWN_MS = 20_000

/**
 * Heals stripes whose shards sit on sites that are gone: retired, declared lost, or unreachable
 * longer than the grace period. The catalog is the queue: every pass streams the stripes, so a
 * restart resumes where the state says and repeating a repair changes nothing (idempotent).
 * Exactly one site repairs a stripe: the site holding its lowest-index shard among live sites,
 * so when that site dies the next holder takes over. It fetches k shards, rebuilds the missing
 * ones (same bytes, same ids), puts each on a site chosen by `chooseRepairTarget`, and records
 * `shard-moved`. One stripe at a time, at most `rate` bytes per second sent.
 *
 * It also spreads stripes with two shards in one failure domain (written with --allow-degraded
 * while too few sites were up) once a site in an unused zone is up: nothing is gone, so nothing
 * else would ever move them, and the repository's backups would be refused for good
 * (`redundancyShortfall`). The same site acts, copying each surplus shard (spread-plan.ts).
 */
export class RepairWorker {
  private readonly limit: ByteRateLimit
  private readonly backoff = new Map<string, { until: number, wait: number }>()
  private readonly periodic: PeriodicPass<RepairReport>
  private rebalanceAfter = 0

  constructor (private readonly init: RepairInit) {
    this.limit = new ByteRateLimit(init.rate)
    this.periodic = new PeriodicPass('repair pass', init.interval, async (signal) => await this.pass(signal), init.log)
  }

  start (): void {
    this.periodic.start()
  }

  async stop (): Promise<void> {
    await this.periodic.stop()
  }

  /** Is `site` gone for the purpose of repair: retired, lost, unknown, or down past the grace period? */
  isGone (site: SiteId): boolean {
    const { membership, liveness, grace } = this.init
    if (membership.isRetired(site)) return true
    if (!membership.has(site) && site !== membership.self) return true
    return liveness.unreachableFor(site) > grace
  }

  /** One pass now (a running pass is shared). */
  async runPass (): Promise<RepairReport> {
    return await this.periodic.runNow()
  }

  private async pass (signal: AbortSignal): Promise<RepairReport> {
    const report: RepairReport = { needing: 0, moved: 0, spread: 0, unrepairable: 0, leftToOthers: 0, failed: 0, rebalanced: 0 }
    // Bytes per site as this pass moves shards: the catalog recount lags behind our own moves.
    const load = new Map<SiteId, number>()
    const loadOf = (site: SiteId): number => load.get(site) ?? this.init.storedBytes(site)
    const mayRebalance = Date.now() >= this.rebalanceAfter
    const { membership, liveness } = this.init
    const now = Date.now()
    for await (const stripe of this.init.catalog.stripes()) {
      signal.throwIfAborted()
      const bad: number[] = []
      const keep = new Set<number>()
      stripe.shards.forEach((s, i) => { if (this.isGone(s.site)) bad.push(i); else keep.add(i) })
      if (bad.length === 0) {
        const spread = this.spreadMoves(stripe, loadOf)
        if (spread.length > 0) {
          report.needing++
          const live = stripe.shards.flatMap((s, i) => liveness.isUp(s.site) ? [i] : [])
          if (stripe.shards[Math.min(...live)]?.site !== membership.self) report.leftToOthers++
          else await this.attempt(stripe.pack, now, report, 'spread', signal, async () => await this.spreadStripe(stripe, spread, live, loadOf, load, signal))
          continue
        }
        if (mayRebalance && await this.rebalance(stripe, loadOf, load, signal).catch((err: unknown) => {
          if (signal.aborted) throw err
          this.init.log(`resilien: moving a shard of pack ${stripe.pack.slice(0, 12)} failed: ${(err as Error).message}`)
          return false
        })) report.rebalanced++
        continue
      }
      report.needing++
      const live = [...keep].filter((i) => liveness.isUp(stripe.shards[i]?.site as string))
      if (live.length < stripe.k) {
        report.unrepairable++
        continue
      }
      if (stripe.shards[Math.min(...live)]?.site !== membership.self) {
        report.leftToOthers++
        continue
      }
      await this.attempt(stripe.pack, now, report, 'moved', signal, async () => await this.repairStripe(stripe, bad, keep, live, signal))
    }
    if (report.rebalanced > 0) this.rebalanceAfter = Date.now() + REBALANCE_COOLDOWN_MS
    if (report.moved > 0 || report.spread > 0 || report.rebalanced > 0) this.init.onMoved?.()
    if (report.moved > 0 || report.spread > 0 || report.failed > 0 || report.unrepairable > 0 || report.rebalanced > 0) {
      this.init.log(`resilien: repair: ${report.moved} shards rebuilt, ${report.spread} spread to another failure domain, ${report.rebalanced} moved to even the load, ${report.failed} stripes failed, ${report.unrepairable} cannot be rebuilt now`)
    }
    return report
  }

  /**
   * Evens out the load: when this site repairs the (healthy) stripe and a live site that holds
   * none of its shards, in a zone the stripe does not use, carries clearly less than the most
   * loaded holder, that holder's shard is copied there and recorded as moved (the old copy goes
   * with the holder's shard GC). So a site that joins gets its share instead of only new packs.
   */
  private async rebalance (stripe: StripeRecord, loadOf: (site: SiteId) => number, load: Map<SiteId, number>, signal: AbortSignal): Promise<boolean> {
    const { membership, liveness } = this.init
    const holders = stripe.shards.map((s) => s.site)
    if (!holders.every((site) => liveness.isUp(site))) return false
    // Every holder is live, so the repairer is the holder of shard 0.
    if (holders[0] !== membership.self) return false
    let from = 0
    holders.forEach((site, i) => { if (loadOf(site) > loadOf(holders[from] as string)) from = i })
    const source = stripe.shards[from]
    if (source === undefined) return false
    const zonesKept = new Set(holders.filter((_, i) => i !== from).map((site) => membership.zoneOf(site)))
    const candidates = this.candidates().filter((c) => !holders.includes(c.site) && !zonesKept.has(c.zone))
    if (candidates.length === 0) return false
    const target = candidates.reduce((best, c) => loadOf(c.site) < loadOf(best.site) ? c : best)
    const gap = loadOf(source.site) - loadOf(target.site)
    if (gap <= REBALANCE_SLACK_SHARDS * source.size || gap <= REBALANCE_MIN_SHARE * loadOf(source.site)) return false
    const bytes = await this.init.sites.get(source.site, source.id, undefined, { signal })
    if (bytes === undefined) return false
    await this.placeShard(stripe, from, target.site, bytes, signal)
    load.set(source.site, loadOf(source.site) - source.size)
    load.set(target.site, loadOf(target.site) + source.size)
    return true
  }

  /**
   * The moves that spread a stripe with two shards in one zone now. None when each zone holds at
   * most one (nearly every stripe: tested before the candidates are listed), when no live site
   * is in a free zone, and none of a shard on a site that is down unless the live ones can
   * rebuild it (else it waits for its site, or for the grace to end and repair to rebuild it).
   */
  private spreadMoves (stripe: StripeRecord, loadOf: (site: SiteId) => number): SpreadMove[] {
    const { membership, liveness } = this.init
    const zoneOf = (site: SiteId): string => membership.zoneOf(site)
    if (crowdedShards(stripe, zoneOf).length === 0) return []
    const rebuildable = stripe.shards.filter((s) => liveness.isUp(s.site)).length >= stripe.k
    return planSpread(stripe, this.candidates(loadOf), zoneOf)
      .filter(({ index }) => rebuildable || liveness.isUp(stripe.shards[index]?.site as string))
  }

  /**
   * Copies the surplus shards of a crowded stripe where `planSpread` put them: each read from
   * its holder, or rebuilt from the live others when that fails (its site is down, or the copy
   * is bad). Returns how many moved.
   */
  private async spreadStripe (stripe: StripeRecord, moves: readonly SpreadMove[], live: readonly number[], loadOf: (site: SiteId) => number, load: Map<SiteId, number>, signal: AbortSignal): Promise<number> {
    let moved = 0
    for (const { index, to } of moves) {
      const source = stripe.shards[index]
      if (source === undefined) continue
      const bytes = await this.init.sites.get(source.site, source.id, undefined, { signal }).catch((err: unknown) => {
        if (signal.aborted) throw err
        return undefined
      }) ?? (await rebuildShards(stripe, live, [index], this.init.sites, { signal, ...(this.init.erasure === undefined ? {} : { erasure: this.init.erasure }) }))[index]
      if (bytes === undefined) continue
      await this.placeShard(stripe, index, to, bytes, signal)
      load.set(source.site, loadOf(source.site) - source.size)
      load.set(to, loadOf(to) + source.size)
      moved++
    }
    return moved
  }

  /**
   * Runs this site's repair of a stripe and counts the shards it placed under `counted`, unless
   * the stripe waits after a failure; a failure makes it wait twice as long (in memory, bounded).
   */
  private async attempt (pack: string, now: number, report: RepairReport, counted: 'moved' | 'spread', signal: AbortSignal, repair: () => Promise<number>): Promise<void> {
    const waiting = this.backoff.get(pack)
    if (waiting !== undefined && waiting.until > now) return
    try {
      report[counted] += await repair()
      this.backoff.delete(pack)
    } catch (err) {
      if (signal.aborted) throw err
      report.failed++
      const wait = Math.min(MAX_BACKOFF_MS, (waiting?.wait ?? FIRST_BACKOFF_MS / 2) * 2)
      this.backoff.delete(pack)
      this.backoff.set(pack, { until: now + wait, wait })
      if (this.backoff.size > MAX_BACKOFF_ENTRIES) this.backoff.delete(this.backoff.keys().next().value as string)
      this.init.log(`resilien: repair of pack ${pack.slice(0, 12)} failed (retry in ${Math.round(wait / 1000)} s): ${(err as Error).message}`)
    }
  }

  /**
   * Puts shard `index` of a stripe on `target` (at most `rate` bytes/s) and records the move.
   * The old copy stays until its holder's shard GC, so a move cut short loses nothing and is
   * simply made again.
   */
  private async placeShard (stripe: StripeRecord, index: number, target: SiteId, bytes: Uint8Array, signal: AbortSignal): Promise<void> {
    const placement = stripe.shards[index]
    if (placement === undefined) return
    await this.limit.take(bytes.byteLength, signal)
    await this.init.sites.put(target, placement.id, bytes, { signal })
    await this.init.catalog.append([{ type: 'shard-moved', repo: stripe.repo, pack: stripe.pack, index, from: placement.site, to: target }])
  }

  /** Live, active sites that can take a shard; their load as `loadOf` says (default: the catalog's count). */
  private candidates (loadOf: (site: SiteId) => number = this.init.storedBytes): TargetCandidate[] {
    const { membership, liveness } = this.init
    const ids = [membership.self, ...membership.others().map((p) => p.peerId)]
    return ids
      .filter((site) => liveness.isUp(site) && !membership.isRetired(site))
      .map((site) => ({ site, zone: membership.zoneOf(site), storedBytes: loadOf(site) }))
  }

  /** Rebuilds the shards at `bad` from k live ones and places them; returns how many moved. */
  private async repairStripe (stripe: StripeRecord, bad: number[], keep: Set<number>, live: number[], signal: AbortSignal): Promise<number> {
    const all = await rebuildShards(stripe, live, bad, this.init.sites, { signal, ...(this.init.erasure === undefined ? {} : { erasure: this.init.erasure }) })
    const current: StripeRecord = { ...stripe, shards: stripe.shards.map((s) => ({ ...s })) }
    let moved = 0
    for (const i of bad) {
      const placement = current.shards[i]
      const bytes = all[i]
      if (placement === undefined || bytes === undefined) continue
      const target = chooseRepairTarget(current, keep, this.candidates(), (site) => this.init.membership.zoneOf(site))
      if (target === undefined) throw new NotEnoughShardsError(1, 0, 'no live site can take the rebuilt shard')
      await this.placeShard(current, i, target, bytes, signal)
      placement.site = target
      keep.add(i)
      moved++
    }
    return moved
  }
}
