import '@resilien/polyfill'
import assert from 'node:assert/strict'
import { test } from 'node:test'
import type { StripeRecord } from '@resilien/types'
import { describeShortfall, sitesNeededWithout } from '../src/cluster/sites-needed.js'

function stripe (k: number, m: number, sites: string[]): StripeRecord {
  return {
    repo: 'r',
    pack: sites.join(''),
    k,
    m,
    packLength: 100,
    shardLength: 50,
    shards: sites.map((site, i) => ({ id: `${i}`, site, size: 50 }))
  }
}

async function * stream (stripes: StripeRecord[]): AsyncGenerator<StripeRecord> {
  yield * stripes
}

test('the widest stripe holding a shard on the site says how many other sites repair needs', async () => {
  const stripes = [stripe(2, 1, ['a', 'b', 'c']), stripe(3, 1, ['a', 'b', 'c', 'd']), stripe(2, 1, ['b', 'c', 'd'])]
  assert.deepEqual(await sitesNeededWithout(stream(stripes), 'a'), { sites: 4, k: 3, m: 1 })
  assert.deepEqual(await sitesNeededWithout(stream(stripes), 'd'), { sites: 4, k: 3, m: 1 })
  // Only stripes with a shard on the site count.
  assert.deepEqual(await sitesNeededWithout(stream([stripe(2, 1, ['a', 'b', 'c']), stripe(3, 1, ['b', 'c', 'd', 'e'])]), 'a'), { sites: 3, k: 2, m: 1 })
  assert.equal(await sitesNeededWithout(stream(stripes), 'z'), undefined)
})

test('each shard on the site needs a site of its own; the other holders count once', async () => {
  // Written while only two sites were up: two shards on c. Moving both needs two new sites.
  assert.deepEqual(await sitesNeededWithout(stream([stripe(2, 1, ['b', 'c', 'c'])]), 'c'), { sites: 3, k: 2, m: 1 })
  assert.deepEqual(await sitesNeededWithout(stream([stripe(2, 1, ['b', 'b', 'c'])]), 'c'), { sites: 2, k: 2, m: 1 })
})

test('the shortfall names the sites needed and left', () => {
  assert.equal(describeShortfall({ sites: 4, k: 3, m: 1 }, 3), 'some of its packs need 4 sites (3 data + 1 parity shards, one per site), and 3 would be left')
})
