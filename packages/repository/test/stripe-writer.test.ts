import { test } from 'node:test'
import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { DiskFullError } from '@resilien/types'
import type { Placement, RepoRecord, ShardSites, SiteId } from '@resilien/types'
import { writeStripe } from '../src/index.js'
import { memorySites } from './helpers.js'

const REPO: RepoRecord = { repo: 'r', name: 'main', k: 2, m: 1, chunker: { min: 1, avg: 2, max: 4 }, packSize: 1024, createdAt: 0, createdBy: 'site-a' } as unknown as RepoRecord

/**
 * Places on the first k + m sites; a replacement is the next site that holds no shard of the
 * stripe (the rules it picks by are DomainPlacement's, tested in @resilien/placement).
 */
function placementOver (names: string[]): Placement & { replaced: Array<{ full: SiteId, by: SiteId | undefined }> } {
  const replaced: Array<{ full: SiteId, by: SiteId | undefined }> = []
  return {
    replaced,
    place: (k, m) => names.slice(0, k + m),
    readOrder: (stripe) => stripe.shards.map((_, i) => i),
    replaceFull: (sites, index) => {
      const by = names.find((n) => !sites.includes(n) && !replaced.some((r) => r.full === n))
      replaced.push({ full: sites[index] as SiteId, by })
      return by
    }
  }
}

/** Sites where `full` answers every put as a full disk does. */
function withFullSite (sites: ShardSites, full: string): { sites: ShardSites, refused: string[] } {
  const refused: string[] = []
  return {
    refused,
    sites: {
      ...sites,
      put: async (site, id, data, o) => {
        if (site === full) {
          refused.push(id)
          throw new DiskFullError(`site ${site}`, data.byteLength, 0)
        }
        await sites.put(site, id, data, o)
      }
    }
  }
}

test('a shard refused by a full site goes to another site, and the stripe records it there', async () => {
  const names = ['site-a', 'site-b', 'site-c', 'site-d']
  const mem = memorySites(names)
  const { sites, refused } = withFullSite(mem.sites, 'site-b')
  const placement = placementOver(names)
  const stripe = await writeStripe(randomBytes(3000), REPO, { sites, placement })
  assert.deepEqual(stripe.shards.map((s) => s.site), ['site-a', 'site-d', 'site-c'])
  assert.deepEqual(placement.replaced, [{ full: 'site-b', by: 'site-d' }])
  assert.equal(refused.length, 1)
  for (const shard of stripe.shards) assert.deepEqual(await mem.stores.get(shard.site)?.has([shard.id]), [true], `shard on ${shard.site}`)
})

test('with no other site for the shard, the full disk is the error', async () => {
  const names = ['site-a', 'site-b', 'site-c']
  const mem = memorySites(names)
  const { sites, refused } = withFullSite(mem.sites, 'site-b')
  const placement = placementOver(names)
  await assert.rejects(writeStripe(randomBytes(3000), REPO, { sites, placement }), DiskFullError)
  assert.deepEqual(placement.replaced, [{ full: 'site-b', by: undefined }])
  assert.equal(refused.length, 1)
})

test('a placement without replaceFull keeps the old behaviour: the error stands', async () => {
  const mem = memorySites(['site-a', 'site-b', 'site-c'])
  const { sites } = withFullSite(mem.sites, 'site-b')
  await assert.rejects(writeStripe(randomBytes(3000), REPO, { sites, placement: mem.placement }), DiskFullError)
})
