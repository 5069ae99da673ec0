import assert from 'node:assert/strict'
import { test } from 'node:test'
import { InvalidInputError, ResilienError, isPermanent } from '@resilien/types'
import { DEFAULT_FREE_SPACE_MARGIN, DomainPlacement, InsufficientDomainsError } from '../src/index.js'
import type { SiteView } from '../src/index.js'
import { MiB, catchError, countBy, placementOver, sitesOf } from './cluster.js'

test('the same view, history and seed give the same sites in the same order', () => {
  const a = placementOver(sitesOf(7))
  const b = placementOver(sitesOf(7))
  for (let i = 0; i < 50; i++) {
    const options = { seed: `pack-${i}`, shardSize: MiB }
    const placed = a.place(3, 2, options)
    assert.deepEqual(b.place(3, 2, options), placed)
    a.recordPlaced(placed, MiB)
    b.recordPlaced(placed, MiB)
  }
})

test('the order of the view does not change the placement', () => {
  const views = sitesOf(9)
  const a = placementOver(views)
  const b = placementOver([...views].reverse())
  for (let i = 0; i < 20; i++) assert.deepEqual(b.place(3, 2, { seed: `s${i}` }), a.place(3, 2, { seed: `s${i}` }))
})

test('each shard goes to a distinct zone when enough zones are up', () => {
  const views = sitesOf(12, (i) => `zone-${i % 6}`)
  const zoneOf = new Map(views.map((v) => [v.site, v.zone]))
  const placement = placementOver(views)
  for (let i = 0; i < 200; i++) {
    const sites = placement.place(3, 2, { seed: `pack-${i}`, shardSize: MiB })
    assert.equal(sites.length, 5)
    assert.equal(new Set(sites.map((s) => zoneOf.get(s))).size, 5)
    placement.recordPlaced(sites, MiB)
  }
})

test('within a zone of several sites, its sites share the zone\'s shards evenly', () => {
  // Three zones for a 2+1 stripe: every zone takes one shard of every stripe.
  const views = sitesOf(6, (i) => i < 4 ? 'big' : `small-${i}`)
  const placement = placementOver(views)
  const all: string[] = []
  for (let i = 0; i < 400; i++) {
    const sites = placement.place(2, 1, { seed: `p${i}`, shardSize: MiB })
    placement.recordPlaced(sites, MiB)
    all.push(...sites)
  }
  const counts = countBy(all)
  for (const site of ['site-0', 'site-1', 'site-2', 'site-3']) assert.equal(counts.get(site), 100)
  assert.equal(counts.get('site-4'), 400)
  assert.equal(counts.get('site-5'), 400)
})

test('sites that are down are never chosen', () => {
  const views = sitesOf(6)
  views[1] = { ...views[1] as SiteView, up: false }
  views[4] = { ...views[4] as SiteView, up: false }
  const placement = placementOver(views)
  for (let i = 0; i < 50; i++) {
    const sites = placement.place(2, 2, { seed: `p${i}` })
    assert.ok(!sites.includes('site-1') && !sites.includes('site-4'), sites.join())
  }
})

test('a site without room for the shard plus the margin is skipped; unknown free space counts as plenty', () => {
  const margin = 10 * MiB
  const views: SiteView[] = [
    { site: 'full', zone: 'a', up: true, storedBytes: 0, freeBytes: margin + MiB - 1 },
    { site: 'just-enough', zone: 'b', up: true, storedBytes: 900 * MiB, freeBytes: margin + MiB },
    { site: 'unknown', zone: 'c', up: true, storedBytes: 900 * MiB },
    { site: 'roomy', zone: 'd', up: true, storedBytes: 900 * MiB, freeBytes: 1000 * MiB }
  ]
  const placement = new DomainPlacement({ self: 'roomy', sites: () => views, freeSpaceMargin: margin })
  for (let i = 0; i < 20; i++) {
    assert.deepEqual(placement.place(2, 1, { seed: `p${i}`, shardSize: MiB }).sort(), ['just-enough', 'roomy', 'unknown'])
  }
})

test('the default margin keeps the disk store\'s reserve free', () => {
  const views: SiteView[] = [
    { site: 'a', zone: 'a', up: true, storedBytes: 0, freeBytes: DEFAULT_FREE_SPACE_MARGIN },
    { site: 'b', zone: 'b', up: true, storedBytes: 0 }
  ]
  assert.throws(() => placementOver(views).place(1, 1, { shardSize: 1 }), InsufficientDomainsError)
  views[0] = { ...views[0] as SiteView, freeBytes: DEFAULT_FREE_SPACE_MARGIN + 1 }
  assert.equal(placementOver(views).place(1, 1, { shardSize: 1 }).length, 2)
})

test('bytes recorded since the last view count against free space', () => {
  const views: SiteView[] = [
    { site: 'a', zone: 'a', up: true, storedBytes: 0, freeBytes: 3 * MiB },
    { site: 'b', zone: 'b', up: true, storedBytes: 10 * MiB },
    { site: 'c', zone: 'c', up: true, storedBytes: 10 * MiB }
  ]
  // a is the least loaded, so it is chosen as long as it has room.
  const placement = new DomainPlacement({ self: 'b', sites: () => views, freeSpaceMargin: 0 })
  placement.place(1, 1, { shardSize: MiB })
  placement.recordPlaced(['a', 'a'], MiB)
  for (let i = 0; i < 10; i++) assert.ok(placement.place(1, 1, { shardSize: MiB, seed: `${i}` }).includes('a'))
  placement.recordPlaced(['a'], MiB)
  for (let i = 0; i < 10; i++) assert.deepEqual(placement.place(1, 1, { shardSize: MiB, seed: `${i}` }).sort(), ['b', 'c'])
})

test('too few zones throw InsufficientDomainsError: transient, one line naming the zones', () => {
  const views = sitesOf(4, (i) => i < 2 ? 'zone-a' : 'zone-b')
  views[3] = { ...views[3] as SiteView, up: false }
  const placement = placementOver(views)
  const error = catchError(() => placement.place(2, 1), InsufficientDomainsError)
  assert.ok(error instanceof ResilienError)
  assert.equal(error.name, 'InsufficientDomainsError')
  assert.equal(isPermanent(error), false)
  assert.equal(error.message, 'only 2 failure domains are up (zone-a, zone-b): a 2+1 stripe needs 3; start more sites or pass --allow-degraded')
  assert.ok(!error.message.includes('\n'))
  assert.deepEqual([error.k, error.m, error.needed, error.zones, error.fullSites], [2, 1, 3, ['zone-a', 'zone-b'], 0])
})

test('the error says when up sites were skipped for lack of space', () => {
  const views: SiteView[] = [
    { site: 'a', zone: 'a', up: true, storedBytes: 0 },
    { site: 'b', zone: 'b', up: true, storedBytes: 0, freeBytes: 0 }
  ]
  const error = catchError(() => placementOver(views).place(1, 1, { shardSize: 1 }), InsufficientDomainsError)
  assert.equal(error.message, 'only 1 failure domain is up (a) (1 more up site lacks free space): a 1+1 stripe needs 2; start more sites or pass --allow-degraded')
  assert.equal(error.fullSites, 1)
})

test('with no site up, even degraded placement throws', () => {
  const views = sitesOf(3).map((v) => ({ ...v, up: false }))
  const error = catchError(() => placementOver(views).place(2, 1, { allowDegraded: true }), InsufficientDomainsError)
  assert.equal(error.message, 'no failure domain is up: a 2+1 stripe needs 3; start more sites')
  assert.deepEqual(error.zones, [])
})

test('degraded mode spreads the shards evenly over the zones that are up', () => {
  const views = sitesOf(5, (i) => `zone-${i % 3}`)
  views[0] = { ...views[0] as SiteView, up: false } // zone-0 keeps site-3
  const zoneOf = new Map(views.map((v) => [v.site, v.zone]))
  const placement = placementOver(views)
  const perSite = new Map<string, number>()
  for (let i = 0; i < 300; i++) {
    const sites = placement.place(3, 2, { allowDegraded: true, seed: `p${i}`, shardSize: MiB })
    assert.equal(sites.length, 5)
    const perZone = [...countBy(sites.map((s) => zoneOf.get(s))).values()].sort()
    assert.deepEqual(perZone, [1, 2, 2])
    placement.recordPlaced(sites, MiB)
    for (const site of sites) perSite.set(site, (perSite.get(site) ?? 0) + 1)
  }
  assert.equal(perSite.get('site-0'), undefined)
  // Zone-1 (two sites) takes at most 2 shards of each stripe, 600 in all, split evenly over its
  // sites; the other 900 go evenly to the one-site zones.
  assert.deepEqual([perSite.get('site-3'), perSite.get('site-1'), perSite.get('site-4'), perSite.get('site-2')], [450, 300, 300, 450])
})

test('degraded mode gives a site its first shard before any site gets a second, then spreads data shards', () => {
  const placement = placementOver(sitesOf(2))
  for (let i = 0; i < 20; i++) {
    const sites = placement.place(2, 2, { allowDegraded: true, seed: `p${i}` })
    assert.equal(sites[0] === sites[1], false, 'the two data shards are on different sites')
    assert.deepEqual([...countBy(sites).values()], [2, 2])
  }
})

test('a single-site cluster places every shard on itself in degraded mode, and refuses otherwise', () => {
  const placement = placementOver(sitesOf(1))
  assert.deepEqual(placement.place(2, 1, { allowDegraded: true, seed: 'x' }), ['site-0', 'site-0', 'site-0'])
  assert.throws(() => placement.place(2, 1), InsufficientDomainsError)
})

test('k + m sites are returned even with m = 0', () => {
  assert.equal(placementOver(sitesOf(3)).place(3, 0).length, 3)
})

test('bad arguments and views are refused with InvalidInputError', () => {
  const placement = placementOver(sitesOf(5))
  assert.throws(() => placement.place(0, 1), InvalidInputError)
  assert.throws(() => placement.place(2, -1), InvalidInputError)
  assert.throws(() => placement.place(1.5, 1), InvalidInputError)
  assert.throws(() => placement.place(2, 1, { shardSize: -1 }), InvalidInputError)
  assert.throws(() => placement.place(2, 1, { shardSize: Number.NaN }), InvalidInputError)
  assert.throws(() => placement.recordPlaced(['site-0'], -5), InvalidInputError)
  assert.throws(() => new DomainPlacement({ self: '', sites: () => [] }), InvalidInputError)
  assert.throws(() => new DomainPlacement({ self: 'a', sites: () => [], freeSpaceMargin: -1 }), InvalidInputError)
  const twice = sitesOf(3)
  twice.push({ ...twice[0] as SiteView })
  assert.throws(() => placementOver(twice).place(2, 1), /appears twice/)
  const nan = sitesOf(3)
  nan[1] = { ...nan[1] as SiteView, storedBytes: Number.NaN }
  assert.throws(() => placementOver(nan).place(2, 1), InvalidInputError)
})
