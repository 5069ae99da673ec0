import assert from 'node:assert/strict'
import { test } from 'node:test'
import type { SiteView } from '../src/index.js'
import { MiB, Prng, placementOver, sitesOf } from './cluster.js'

const SHAPES = [
  { sites: 3, k: 2, m: 1 },
  { sites: 4, k: 2, m: 1 },
  { sites: 4, k: 3, m: 1 },
  { sites: 5, k: 2, m: 1 },
  { sites: 5, k: 3, m: 1 },
  { sites: 5, k: 3, m: 2 },
  { sites: 7, k: 2, m: 1 },
  { sites: 7, k: 3, m: 1 },
  { sites: 7, k: 3, m: 2 }
]
const PACKS = 420

function loads (views: readonly SiteView[], placed: ReadonlyMap<string, number>): number[] {
  return views.map((v) => v.storedBytes + (placed.get(v.site) ?? 0))
}

for (const { sites, k, m } of SHAPES) {
  test(`${sites} sites with ${k}+${m} fill evenly: equal shards end within one shard of each other`, () => {
    const views = sitesOf(sites)
    const placement = placementOver(views)
    const placed = new Map<string, number>()
    for (let i = 0; i < PACKS; i++) {
      const chosen = placement.place(k, m, { seed: `pack-${i}`, shardSize: MiB })
      placement.recordPlaced(chosen, MiB)
      for (const site of chosen) placed.set(site, (placed.get(site) ?? 0) + MiB)
      const all = loads(views, placed)
      assert.ok(Math.max(...all) - Math.min(...all) <= MiB, `after pack ${i}: ${all.map((b) => b / MiB).join(' ')}`)
    }
  })
}

test('varied shard sizes still fill 4 and 7 sites evenly (max/min load close to 1)', () => {
  for (const [sites, k, m] of [[4, 2, 1], [7, 3, 2]] as const) {
    const rng = new Prng(sites)
    const views = sitesOf(sites)
    const placement = placementOver(views)
    const placed = new Map<string, number>()
    for (let i = 0; i < 2000; i++) {
      const shardSize = rng.int(MiB / 4, 2 * MiB)
      const chosen = placement.place(k, m, { seed: `pack-${i}`, shardSize })
      placement.recordPlaced(chosen, shardSize)
      for (const site of chosen) placed.set(site, (placed.get(site) ?? 0) + shardSize)
    }
    const all = loads(views, placed)
    assert.ok(Math.max(...all) / Math.min(...all) < 1.005, all.join(' '))
  }
})

test('a site that joins late, empty, gets shards until it has caught up', () => {
  const views = sitesOf(4)
  for (const view of views) view.storedBytes = 300 * MiB
  views.push({ site: 'new', zone: 'new', up: true, storedBytes: 0 })
  const placement = placementOver(views)
  for (let i = 0; i < 100; i++) {
    const chosen = placement.place(2, 1, { seed: `p${i}`, shardSize: MiB })
    assert.ok(chosen.includes('new'))
    placement.recordPlaced(chosen, MiB)
  }
})

test('when the catalog catches up, recorded bytes are not counted twice', () => {
  // The node calls recordPlaced after writing; the catalog's storedBytes grow later.
  const views = sitesOf(4)
  const placement = placementOver(views)
  const placed = new Map<string, number>()
  let lagging: string[] = []
  for (let i = 0; i < 400; i++) {
    // The view shows the previous pack only now, one placement late.
    for (const site of lagging) (views.find((v) => v.site === site) as SiteView).storedBytes += MiB
    const chosen = placement.place(2, 1, { seed: `pack-${i}`, shardSize: MiB })
    placement.recordPlaced(chosen, MiB)
    for (const site of chosen) placed.set(site, (placed.get(site) ?? 0) + MiB)
    lagging = chosen
  }
  const counts = [...placed.values()].map((b) => b / MiB)
  assert.deepEqual(counts, [300, 300, 300, 300])
})

test('the catalog alone (no recordPlaced) also spreads evenly', () => {
  const views = sitesOf(5)
  const placement = placementOver(views)
  for (let i = 0; i < 500; i++) {
    for (const site of placement.place(3, 1, { seed: `pack-${i}`, shardSize: MiB })) {
      (views.find((v) => v.site === site) as SiteView).storedBytes += MiB
    }
  }
  assert.deepEqual(views.map((v) => v.storedBytes / MiB), [400, 400, 400, 400, 400])
})

test('writers that see the same stale view spread by seed instead of all picking the same sites', () => {
  const views = sitesOf(6)
  const counts = new Map<string, number>()
  for (let i = 0; i < 600; i++) {
    // A fresh placement per pack: nothing recorded, nothing in the catalog yet.
    for (const site of placementOver(views).place(2, 1, { seed: `pack-${i}` })) counts.set(site, (counts.get(site) ?? 0) + 1)
  }
  for (const [site, count] of counts) assert.ok(count > 230 && count < 370, `${site}: ${count} of 1800 shards, 300 expected`)
})

test('the shard order rotates with the seed, so every site holds data shards in its share', () => {
  const views = sitesOf(5)
  const placement = placementOver(views)
  const data = new Map<string, number>()
  const all = new Map<string, number>()
  for (let i = 0; i < 1000; i++) {
    const chosen = placement.place(3, 2, { seed: `pack-${i}`, shardSize: MiB })
    placement.recordPlaced(chosen, MiB)
    chosen.forEach((site, index) => {
      all.set(site, (all.get(site) ?? 0) + 1)
      if (index < 3) data.set(site, (data.get(site) ?? 0) + 1)
    })
  }
  for (const view of views) {
    const share = (data.get(view.site) ?? 0) / (all.get(view.site) ?? 1)
    assert.ok(Math.abs(share - 0.6) < 0.06, `${view.site}: ${share} of its shards are data shards, 0.6 expected`)
  }
})

test('bytes recorded are forgotten once the catalog shows them, and not before', () => {
  const views = sitesOf(4)
  const placement = placementOver(views)
  const shardSize = 10 * MiB
  const timesChosen = (site: string): number => {
    let times = 0
    for (let i = 0; i < 100; i++) if (placement.place(2, 1, { seed: `p${i}`, shardSize }).includes(site)) times++
    return times
  }
  const tied = (times: number): boolean => times > 55 && times < 95
  assert.ok(tied(timesChosen('site-0')), 'all four sites tie: each is in about 3 of 4 stripes')
  placement.recordPlaced(['site-0'], shardSize)
  assert.equal(timesChosen('site-0'), 0, 'site-0 holds a shard the catalog does not show yet')
  // The catalog now shows that shard on site-0, and others' shards on the rest: all tie again.
  for (const view of views) view.storedBytes += shardSize
  assert.ok(tied(timesChosen('site-0')), 'site-0 ties again: its recorded bytes are not counted twice')
})
