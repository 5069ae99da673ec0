import assert from 'node:assert/strict'
import { test } from 'node:test'
import { InvalidInputError } from '@resilien/types'
import { defaultRedundancy, healthWithout, stripeHealth, survivesDomainLoss } from '../src/index.js'
import { stripeOn } from './cluster.js'

const allUp = (): boolean => true
const upExcept = (...down: string[]) => (site: string): boolean => !down.includes(site)

test('stripeHealth: full when all shards are live and any one site may go', () => {
  assert.equal(stripeHealth(stripeOn(['a', 'b', 'c'], 2), allUp), 'full')
  assert.equal(stripeHealth(stripeOn(['a', 'b', 'c', 'd', 'e'], 3), allUp), 'full')
})

test('stripeHealth: degraded when some shards are down but one more site loss is survivable', () => {
  assert.equal(stripeHealth(stripeOn(['a', 'b', 'c', 'd', 'e'], 3), upExcept('e')), 'degraded')
})

test('stripeHealth: atRisk when losing the busiest live site would leave fewer than k', () => {
  assert.equal(stripeHealth(stripeOn(['a', 'b', 'c'], 2), upExcept('c')), 'atRisk')
  assert.equal(stripeHealth(stripeOn(['a', 'a', 'b'], 2), allUp), 'atRisk')
  assert.equal(stripeHealth(stripeOn(['a', 'a', 'a'], 2), allUp), 'atRisk', 'one site with every shard survives no site loss')
})

test('stripeHealth: lost when fewer than k shards are on live sites', () => {
  assert.equal(stripeHealth(stripeOn(['a', 'b', 'c'], 2), upExcept('b', 'c')), 'lost')
  assert.equal(stripeHealth(stripeOn(['a', 'b', 'c', 'd', 'e'], 3), upExcept('a', 'b', 'c')), 'lost')
})

test('stripeHealth: two shards on one site count once per shard', () => {
  // 3+2 on four sites, one site holding two: losing it leaves 3 = k.
  assert.equal(stripeHealth(stripeOn(['a', 'a', 'b', 'c', 'd'], 3), allUp), 'full')
  assert.equal(stripeHealth(stripeOn(['a', 'a', 'b', 'c', 'd'], 3), upExcept('d')), 'atRisk')
})

test('healthWithout: a stripe as it would stand if one site were gone', () => {
  const stripe = stripeOn(['a', 'b', 'c', 'd', 'e'], 3)
  assert.equal(healthWithout(stripe, 'a', allUp), 'degraded')
  assert.equal(healthWithout(stripe, 'a', upExcept('b')), 'atRisk')
  assert.equal(healthWithout(stripe, 'a', upExcept('b', 'c')), 'lost')
  assert.equal(healthWithout(stripe, 'elsewhere', allUp), 'full')
  assert.equal(healthWithout(stripeOn(['a', 'b', 'c'], 2), 'c', allUp), 'atRisk')
})

test('survivesDomainLoss: one shard per zone survives m zone losses', () => {
  const ownZone = (site: string): string => site
  assert.equal(survivesDomainLoss(stripeOn(['a', 'b', 'c'], 2), ownZone), true)
  assert.equal(survivesDomainLoss(stripeOn(['a', 'b', 'c', 'd', 'e'], 3), ownZone), true)
  assert.equal(survivesDomainLoss(stripeOn(['a', 'b'], 1), ownZone), true)
})

test('survivesDomainLoss: two shards in one zone fail the commit rule when that zone\'s loss is too much', () => {
  const zones: Record<string, string> = { a: 'z1', b: 'z1', c: 'z2', d: 'z3', e: 'z4' }
  const zoneOf = (site: string): string => zones[site] ?? site
  // 2+1 with two shards in z1: losing z1 leaves 1 < 2.
  assert.equal(survivesDomainLoss(stripeOn(['a', 'b', 'c'], 2), zoneOf), false)
  // 3+2 with z1 holding two: losing z1 and another zone leaves 2 < 3.
  assert.equal(survivesDomainLoss(stripeOn(['a', 'b', 'c', 'd', 'e'], 3), zoneOf), false)
  // 2+2: losing z1 and one more zone leaves 1 < 2; with one shard per zone any two losses leave 2.
  assert.equal(survivesDomainLoss(stripeOn(['a', 'b', 'c', 'd'], 2), zoneOf), false)
  assert.equal(survivesDomainLoss(stripeOn(['a', 'c', 'd', 'e'], 2), zoneOf), true)
})

test('survivesDomainLoss: a single zone, or no parity, survives nothing', () => {
  assert.equal(survivesDomainLoss(stripeOn(['a', 'a', 'a'], 2), (site) => site), false)
  assert.equal(survivesDomainLoss(stripeOn(['a', 'b', 'c'], 2), () => 'one-zone'), false)
  assert.equal(survivesDomainLoss(stripeOn(['a', 'b', 'c'], 3, 0), (site) => site), false)
})

test('defaultRedundancy follows the cluster size', () => {
  const table = [1, 2, 3, 4, 5, 6, 20].map((n) => defaultRedundancy(n))
  assert.deepEqual(table, [
    { k: 2, m: 1 }, { k: 1, m: 1 }, { k: 2, m: 1 }, { k: 3, m: 1 }, { k: 3, m: 2 }, { k: 3, m: 2 }, { k: 3, m: 2 }
  ])
  // Each call returns its own object: callers may change it.
  const first = defaultRedundancy(5)
  first.k = 9
  assert.equal(defaultRedundancy(5).k, 3)
})

test('defaultRedundancy refuses a site count that is not a positive integer', () => {
  for (const n of [0, -1, 2.5, Number.NaN]) assert.throws(() => defaultRedundancy(n), InvalidInputError)
})
