import '@resilien/polyfill'
import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { test } from 'node:test'
import { activeErasure } from '@resilien/erasure'
import { hash } from '@resilien/hashing'
import { survivesDomainLoss } from '@resilien/placement'
import type { Catalog } from '@resilien/catalog'
import { toHex } from '@resilien/types'
import type { CatalogFact, ShardSites, SiteId, StripeRecord } from '@resilien/types'
import type { Liveness } from '../src/cluster/liveness.js'
import type { Membership } from '../src/cluster/membership.js'
import { RepairWorker } from '../src/cluster/repair.js'
import type { TargetCandidate } from '../src/cluster/repair-target.js'
import { crowdedShards, planSpread } from '../src/cluster/spread-plan.js'

function stripe (sites: string[], k = 2, m = 1): StripeRecord {
  return {
    repo: 'r',
    pack: `pack-${sites.join('-')}`,
    k,
    m,
    packLength: 100,
    shardLength: 50,
    shards: sites.map((site, i) => ({ id: `${i}`, site, size: 50 }))
  }
}

/** Sites named `zone.site` are in that zone; others are their own zone. */
const zoneOf = (site: SiteId): string => site.includes('.') ? site.split('.')[0] as string : site

function candidates (...sites: Array<[SiteId, number]>): TargetCandidate[] {
  return sites.map(([site, storedBytes]) => ({ site, zone: zoneOf(site), storedBytes }))
}

function applied (s: StripeRecord, moves: ReturnType<typeof planSpread>): StripeRecord {
  const shards = s.shards.map((x) => ({ ...x }))
  for (const { index, to } of moves) (shards[index] as { site: SiteId }).site = to
  return { ...s, shards }
}

test('the shards beyond the first in their zone are the crowded ones, lowest index kept', () => {
  assert.deepEqual(crowdedShards(stripe(['p', 'q', 's']), zoneOf), [])
  assert.deepEqual(crowdedShards(stripe(['p', 'q', 'q']), zoneOf), [2])
  assert.deepEqual(crowdedShards(stripe(['q', 'p', 'q']), zoneOf), [2])
  assert.deepEqual(crowdedShards(stripe(['a', 'a', 'a']), zoneOf), [1, 2])
  // Two sites of one zone are one failure domain.
  assert.deepEqual(crowdedShards(stripe(['z.a', 'z.b', 'c']), zoneOf), [1])
})

test('a crowded shard goes to a live site in a zone the stripe does not use, and makes the stripe survive a zone loss', () => {
  const s = stripe(['p', 'q', 'q'])
  assert.equal(survivesDomainLoss(s, zoneOf), false)
  const moves = planSpread(s, candidates(['p', 10], ['q', 10], ['s', 500]), zoneOf)
  assert.deepEqual(moves, [{ index: 2, to: 's' }])
  assert.equal(survivesDomainLoss(applied(s, moves), zoneOf), true)
  // Once spread there is nothing left to do (a repeated pass changes nothing).
  assert.deepEqual(planSpread(applied(s, moves), candidates(['p', 10], ['q', 10], ['s', 500]), zoneOf), [])
})

test('nothing moves while no zone is free: only the two zones that hold the stripe are up', () => {
  assert.deepEqual(planSpread(stripe(['p', 'q', 'q']), candidates(['p', 0], ['q', 0]), zoneOf), [])
  // Another site of a zone the stripe uses is no spread either.
  assert.deepEqual(planSpread(stripe(['z.a', 'z.a', 'y']), candidates(['z.b', 0], ['y.c', 0]), zoneOf), [])
  assert.deepEqual(planSpread(stripe(['z.a', 'z.a', 'y']), candidates(['z.b', 0], ['x.c', 0]), zoneOf), [{ index: 1, to: 'x.c' }])
})

test('several crowded shards go to distinct free zones, least loaded first; those without a free zone wait', () => {
  const s = stripe(['a', 'a', 'a', 'b'], 2, 2)
  const two = planSpread(s, candidates(['a', 0], ['b', 0], ['c', 300], ['d', 100]), zoneOf)
  assert.deepEqual(two, [{ index: 1, to: 'd' }, { index: 2, to: 'c' }])
  assert.equal(survivesDomainLoss(applied(s, two), zoneOf), true)
  const one = planSpread(s, candidates(['a', 0], ['b', 0], ['c', 300]), zoneOf)
  assert.deepEqual(one, [{ index: 1, to: 'c' }])
  // Any order of the candidates gives the same plan (every site decides alike).
  assert.deepEqual(planSpread(s, candidates(['d', 100], ['c', 300], ['b', 0], ['a', 0]), zoneOf), two)
})

/** A cluster (three sites unless told) as one site's repair worker sees it: catalog, liveness and shard transfers faked. */
function fakeSite (self: SiteId, stripes: StripeRecord[], up: Set<SiteId>, stored: Map<string, Uint8Array>, all = ['p', 'q', 's']): { worker: RepairWorker, facts: CatalogFact[] } {
  const facts: CatalogFact[] = []
  const catalog = {
    stripes: async function * () { yield * stripes },
    append: async (batch: CatalogFact[]) => {
      for (const fact of batch) {
        facts.push(fact)
        if (fact.type !== 'shard-moved') continue
        const moved = stripes.find((s) => s.pack === fact.pack)?.shards[fact.index]
        if (moved !== undefined) moved.site = fact.to
      }
      return []
    }
  }
  const membership = {
    self,
    isRetired: () => false,
    has: (site: SiteId) => all.includes(site),
    others: () => all.filter((site) => site !== self).map((peerId) => ({ peerId, addrs: [] })),
    zoneOf
  }
  const liveness = { isUp: (site: SiteId) => up.has(site), unreachableFor: (site: SiteId) => up.has(site) ? 0 : 1000 }
  const sites: ShardSites = {
    put: async (site, id, bytes) => { if (up.has(site)) stored.set(`${site}/${id}`, bytes); else throw new Error(`${site} is down`) },
    get: async (site, id) => { if (!up.has(site)) throw new Error(`${site} is down`); return stored.get(`${site}/${id}`) },
    has: async (site, ids) => ids.map((id) => stored.has(`${site}/${id}`))
  }
  const worker = new RepairWorker({
    catalog: catalog as unknown as Catalog,
    membership: membership as unknown as Membership,
    liveness: liveness as unknown as Liveness,
    sites,
    storedBytes: () => 0,
    grace: 60_000,
    rate: 0,
    interval: 60_000,
    log: () => {}
  })
  return { worker, facts }
}

test('the repair pass spreads a stripe written degraded once a third site is up: one site acts, once', async () => {
  const shards = [0, 1, 2].map(() => new Uint8Array(randomBytes(64)))
  const written = stripe(['q', 'p', 'p'])
  written.shards.forEach((s, i) => { s.id = toHex(hash(shards[i] as Uint8Array)) })
  const stored = new Map<string, Uint8Array>()
  written.shards.forEach((s, i) => stored.set(`${s.site}/${s.id}`, shards[i] as Uint8Array))
  const up = new Set(['p', 'q'])
  const onP = fakeSite('p', [written], up, stored)
  const onQ = fakeSite('q', [written], up, stored)

  // Site s still down: nowhere to spread, nothing to do, nothing reported.
  assert.deepEqual(await onQ.worker.runPass(), { needing: 0, moved: 0, spread: 0, unrepairable: 0, leftToOthers: 0, failed: 0, rebalanced: 0 })
  assert.deepEqual(onQ.facts, [])

  up.add('s')
  // q holds shard 0, the lowest-index live one: q acts, p leaves it.
  assert.deepEqual(await onP.worker.runPass(), { needing: 1, moved: 0, spread: 0, unrepairable: 0, leftToOthers: 1, failed: 0, rebalanced: 0 })
  assert.deepEqual(onP.facts, [])
  const spread = await onQ.worker.runPass()
  assert.deepEqual([spread.spread, spread.moved], [1, 0], 'counted as spread, not as rebuilt')
  assert.deepEqual(onQ.facts, [{ type: 'shard-moved', repo: 'r', pack: written.pack, index: 2, from: 'p', to: 's' }])
  assert.deepEqual(stored.get(`s/${written.shards[2]?.id as string}`), shards[2], 'the shard was copied byte for byte')
  assert.equal(survivesDomainLoss(written, zoneOf), true)
  // Again: nothing left to spread.
  assert.equal((await onQ.worker.runPass()).needing, 0)
  assert.equal(onQ.facts.length, 1)
})

/** A stripe of real shards (k data, m parity) on `sites`, each stored there. */
async function storedStripe (sites: string[], k: number, m: number, stored: Map<string, Uint8Array>): Promise<{ stripe: StripeRecord, shards: Uint8Array[] }> {
  const data = Array.from({ length: k }, () => new Uint8Array(randomBytes(64)))
  const shards = [...data, ...await activeErasure.encode(k, m, data)]
  const s = { ...stripe(sites, k, m), packLength: 64 * k, shardLength: 64 }
  s.shards.forEach((x, i) => { x.id = toHex(hash(shards[i] as Uint8Array)) })
  s.shards.forEach((x, i) => stored.set(`${x.site}/${x.id}`, shards[i] as Uint8Array))
  return { stripe: s, shards }
}

test('a crowded shard on a site that is down is rebuilt from the live ones when they can, and else waits without failing', async () => {
  const stored = new Map<string, Uint8Array>()
  const all = ['p', 'q', 's', 't']
  const up = new Set(['q', 's', 't'])
  const wide = await storedStripe(['q', 's', 'p', 'p'], 2, 2, stored)
  const onQ = fakeSite('q', [wide.stripe], up, stored, all)
  const report = await onQ.worker.runPass()
  assert.equal(report.spread, 1, JSON.stringify(report))
  assert.deepEqual(onQ.facts, [{ type: 'shard-moved', repo: 'r', pack: wide.stripe.pack, index: 3, from: 'p', to: 't' }])
  assert.deepEqual(stored.get(`t/${wide.stripe.shards[3]?.id as string}`), wide.shards[3], 'rebuilt byte for byte')

  // 2 + 1 on q, p, p with p down: one live shard cannot rebuild one, so nothing is tried.
  const narrow = await storedStripe(['q', 'p', 'p'], 2, 1, stored)
  const alone = fakeSite('q', [narrow.stripe], new Set(['q', 's']), stored)
  assert.deepEqual(await alone.worker.runPass(), { needing: 0, moved: 0, spread: 0, unrepairable: 0, leftToOthers: 0, failed: 0, rebalanced: 0 })
  assert.deepEqual(alone.facts, [])
})
