import assert from 'node:assert/strict'
import { test } from 'node:test'
import { DomainPlacement } from '../src/index.js'
import type { SiteView } from '../src/index.js'
import { stripeOn } from './cluster.js'

function placementFor (self: string, up: readonly string[], down: readonly string[]): DomainPlacement {
  const views: SiteView[] = [
    ...up.map((site) => ({ site, zone: site, up: true, storedBytes: 0 })),
    ...down.map((site) => ({ site, zone: site, up: false, storedBytes: 0 }))
  ]
  return new DomainPlacement({ self, sites: () => views })
}

test('data shards come before parity, and the local data shard first', () => {
  const placement = placementFor('me', ['me', 'a', 'b', 'c', 'd'], [])
  // shards 0..2 are data (k = 3), 3..4 parity; the local site holds data shard 2.
  assert.deepEqual(placement.readOrder(stripeOn(['a', 'b', 'me', 'c', 'd'], 3)), [2, 0, 1, 3, 4])
})

test('a local parity shard comes after the live data shards and before remote parity', () => {
  const placement = placementFor('me', ['me', 'a', 'b', 'c'], [])
  assert.deepEqual(placement.readOrder(stripeOn(['a', 'b', 'c', 'me'], 2)), [0, 1, 3, 2])
})

test('shards on down or unknown sites come after every live shard, data before parity', () => {
  const placement = placementFor('me', ['me', 'b', 'd'], ['a'])
  // 'c' and 'e' are not in the view at all: unknown counts as down.
  assert.deepEqual(placement.readOrder(stripeOn(['a', 'b', 'c', 'd', 'e'], 3)), [1, 3, 0, 2, 4])
})

test('the order is stable: equal shards keep their index order', () => {
  const placement = placementFor('me', ['me', 'a'], [])
  assert.deepEqual(placement.readOrder(stripeOn(['a', 'a', 'a', 'a', 'a'], 3)), [0, 1, 2, 3, 4])
  assert.deepEqual(placement.readOrder(stripeOn(['me', 'a', 'me', 'a', 'me'], 3)), [0, 2, 1, 4, 3])
})

test('readOrder reads the current view on every call', () => {
  const views: SiteView[] = [{ site: 'a', zone: 'a', up: true, storedBytes: 0 }, { site: 'b', zone: 'b', up: true, storedBytes: 0 }]
  const placement = new DomainPlacement({ self: 'me', sites: () => views })
  const stripe = stripeOn(['a', 'b'], 1)
  assert.deepEqual(placement.readOrder(stripe), [0, 1])
  views[0] = { ...views[0] as SiteView, up: false }
  assert.deepEqual(placement.readOrder(stripe), [1, 0])
})

test('read costs: nothing for a local shard, one for a live site, more than every live shard for a down or unknown one', () => {
  const placement = placementFor('me', ['me', 'b'], ['a'])
  // 'c' is not in the view: unknown counts as down.
  assert.deepEqual(placement.readCosts(stripeOn(['a', 'b', 'me', 'c'], 2)), [5, 1, 0, 5])
})
