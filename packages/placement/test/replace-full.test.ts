import assert from 'node:assert/strict'
import { test } from 'node:test'
import { InsufficientDomainsError } from '../src/index.js'
import { MiB, catchError, placementOver, sitesOf } from './cluster.js'

test('a shard whose site had no room goes to a zone the stripe does not use, the least loaded', () => {
  const views = sitesOf(6, (i) => `zone-${i % 4}`)
  const load = [0, 0, 0, 0, 9 * MiB, 2 * MiB]
  views.forEach((v, i) => { v.storedBytes = load[i] as number })
  const placement = placementOver(views)
  // site-0..2 hold the stripe (zones 0..2); site-3 (zone 3, empty) and site-4, site-5 (zones 0
  // and 1, in use) are left: only site-3's zone is free.
  const other = placement.replaceFull(['site-0', 'site-1', 'site-2'], 1, { shardSize: MiB })
  assert.equal(other, 'site-3')
  // Two zones free: the less loaded site of them.
  const wide = sitesOf(6)
  wide.forEach((v, i) => { v.storedBytes = load[i] as number })
  wide[3] = { ...(wide[3] as (typeof wide)[number]), storedBytes: 20 * MiB }
  assert.equal(placementOver(wide).replaceFull(['site-0', 'site-1', 'site-2'], 0, { shardSize: MiB }), 'site-5')
})

test('no site outside the stripe\'s zones: none without degraded, a shared zone with it', () => {
  const views = sitesOf(4, (i) => `zone-${i % 3}`)
  const placement = placementOver(views)
  assert.equal(placement.replaceFull(['site-0', 'site-1', 'site-2'], 2, { shardSize: MiB }), undefined)
  // site-3 shares zone 0 with site-0.
  assert.equal(placementOver(sitesOf(4, (i) => `zone-${i % 3}`)).replaceFull(['site-0', 'site-1', 'site-2'], 2, { shardSize: MiB, allowDegraded: true }), 'site-3')
})

test('sites down, without room, or already in the stripe are never the replacement', () => {
  const views = sitesOf(6)
  const down = views[3] as (typeof views)[number]
  down.up = false
  const cramped = views[4] as (typeof views)[number]
  cramped.freeBytes = MiB / 2
  const placement = placementOver(views)
  assert.equal(placement.replaceFull(['site-0', 'site-1', 'site-2'], 0, { shardSize: MiB }), 'site-5')
  // Now site-0 (which just had no room) is paused too: nothing is left for site-1's shard.
  assert.equal(placement.replaceFull(['site-5', 'site-1', 'site-2'], 1, { shardSize: MiB }), undefined)
})

test('a site that had no room takes no new stripe for a while', () => {
  const views = sitesOf(3)
  const placement = placementOver(views)
  assert.equal(placement.replaceFull(['site-0', 'site-1', 'site-2'], 2, { shardSize: MiB }), undefined)
  // site-2 is paused: a 2+1 stripe now has two zones with room, and the policy needs three.
  const error = catchError(() => placement.place(2, 1, { seed: 'after', shardSize: MiB }), InsufficientDomainsError)
  assert.match(error.message, /1 more up site lacks free space/)
  assert.deepEqual(new Set(placement.place(1, 1, { seed: 'small', shardSize: MiB })), new Set(['site-0', 'site-1']))
})
