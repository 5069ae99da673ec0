import { test } from 'node:test'
import assert from 'node:assert/strict'
import type { TestContext } from 'node:test'
import { toHex } from '@resilien/types'
import type { CatalogFact } from '@resilien/types'
import type { LogEntry } from '../src/index.js'
import { collect, dumpState, hexId, makeSite, openTestCatalog, repoRecord, resolverOf, siteJoined, steppingClock, stripeRecord } from './helpers.js'
import type { TestSite } from './helpers.js'

const a = makeSite('A')
const b = makeSite('B')
const c = makeSite('C')
const d = makeSite('D')
const resolve = resolverOf(a, b, c, d)
const repo = hexId('repo fold')
const sites = [a.site, b.site, c.site]

async function logOf (t: TestContext, site: TestSite, facts: CatalogFact[], start: number): Promise<LogEntry[]> {
  const catalog = await openTestCatalog(t, site, resolve, { now: steppingClock(start) })
  return await catalog.append(facts)
}

test('every fact type folds into the state it answers for', async (t) => {
  const catalog = await openTestCatalog(t, a, resolve, { now: steppingClock(5000) })
  const record = repoRecord('photos', 100, a.site, repo)
  const live = stripeRecord(repo, 'live', sites)
  const gone = stripeRecord(repo, 'gone', sites)
  const location = { pack: live.pack, offset: 10, length: 200 }
  await catalog.append([
    siteJoined(b, 'bravo', 'attic'),
    { type: 'repo-created', record },
    { type: 'key-added', repo, keyId: 'k1', wrapped: 'd3JhcHBlZA==' },
    { type: 'key-added', repo, keyId: 'k2', wrapped: 'b2xk' },
    { type: 'key-removed', repo, keyId: 'k2' },
    { type: 'pack-stored', stripe: live },
    { type: 'pack-stored', stripe: gone },
    { type: 'index-added', repo, index: hexId('index 1'), location, packs: [live.pack] },
    { type: 'snapshot-added', repo, snapshot: hexId('kept', 32), sealed: 'sealedkept' },
    { type: 'snapshot-added', repo, snapshot: hexId('dropped', 32), sealed: 'sealeddropped' },
    { type: 'snapshot-forgotten', repo, snapshot: hexId('dropped', 32) },
    { type: 'pack-deleted', repo, pack: gone.pack }
  ])
  assert.deepEqual(await collect(catalog.sites()), [{
    site: b.site, name: 'bravo', zone: 'attic', addrs: ['/ip4/127.0.0.1/tcp/4001'], publicKey: toHex(b.publicKey), time: 5000, announcedBy: a.site
  }])
  assert.deepEqual(await catalog.repo(repo), record)
  assert.deepEqual(await catalog.repo('photos'), record)
  assert.equal(await catalog.repo('videos'), undefined)
  assert.deepEqual(await collect(catalog.repos()), [record])
  assert.deepEqual(await catalog.keys(repo), [{ keyId: 'k1', wrapped: 'd3JhcHBlZA==' }], 'the removed key slot is gone')
  assert.deepEqual(await catalog.stripe(live.pack), live)
  assert.deepEqual(await catalog.stripe(gone.pack), gone, 'a deleted pack keeps its stripe: its shards are still to be removed')
  assert.deepEqual(await collect(catalog.stripes(repo)), [live])
  assert.deepEqual(await collect(catalog.stripes()), [live])
  assert.equal(await catalog.isPackDeleted(repo, gone.pack), true)
  assert.equal(await catalog.isPackDeleted(repo, live.pack), false)
  assert.deepEqual(await collect(catalog.deletedPacks()), [{ repo, pack: gone.pack }])
  assert.deepEqual(await collect(catalog.indexObjects(repo)), [{ index: hexId('index 1'), location }], 'its location; the pack list stays in the log')
  const kept = { snapshot: hexId('kept', 32), sealed: 'sealedkept', site: a.site, time: 5000 }
  assert.deepEqual(await collect(catalog.snapshots(repo)), [kept])
  assert.deepEqual(await catalog.snapshot(repo, hexId('kept', 32)), kept)
  assert.equal(await catalog.snapshot(repo, hexId('dropped', 32)), undefined)
  assert.equal(await catalog.stripe(hexId('pack nowhere')), undefined)
  assert.deepEqual(await catalog.keys(hexId('other repo')), [])
})

test('tombstones win over their add whatever order they arrive in', async (t) => {
  const stripe = stripeRecord(repo, 'p', sites)
  const snap = hexId('s', 32)
  const adds = await logOf(t, a, [
    { type: 'pack-stored', stripe },
    { type: 'snapshot-added', repo, snapshot: snap, sealed: 'sealed' },
    { type: 'key-added', repo, keyId: 'k1', wrapped: 'a2V5' }
  ], 1000)
  const tombstones = await logOf(t, b, [
    { type: 'snapshot-forgotten', repo, snapshot: snap },
    { type: 'pack-deleted', repo, pack: stripe.pack },
    { type: 'key-removed', repo, keyId: 'k1' }
  ], 2000)
  const addsFirst = await openTestCatalog(t, c, resolve)
  await addsFirst.ingest(adds)
  assert.equal((await collect(addsFirst.snapshots(repo))).length, 1)
  await addsFirst.ingest(tombstones)
  const tombstonesFirst = await openTestCatalog(t, d, resolve)
  await tombstonesFirst.ingest(tombstones)
  await tombstonesFirst.ingest(adds)
  for (const catalog of [addsFirst, tombstonesFirst]) {
    assert.deepEqual(await catalog.keys(repo), [], 'a removed key slot does not come back with its add')
    assert.deepEqual(await collect(catalog.snapshots(repo)), [])
    assert.equal(await catalog.snapshot(repo, snap), undefined)
    assert.deepEqual(await collect(catalog.stripes(repo)), [])
    assert.equal(await catalog.isPackDeleted(repo, stripe.pack), true)
    assert.deepEqual(await catalog.stripe(stripe.pack), stripe)
  }
  assert.deepEqual(await dumpState(addsFirst, [repo]), await dumpState(tombstonesFirst, [repo]))
})

test('the fold commutes: conflicting facts from three logs give one state in any arrival order', async (t) => {
  const repoA = repoRecord('shared', 100, a.site, repo)
  const repoB = { ...repoRecord('shared', 50, b.site, repo), k: 3 }
  const stripeA = stripeRecord(repo, 'same pack', [a.site, b.site, c.site])
  const stripeB = stripeRecord(repo, 'same pack', [c.site, b.site, a.site])
  const logA = await logOf(t, a, [
    { type: 'repo-created', record: repoA },
    { type: 'key-added', repo, keyId: 'k', wrapped: 'fromA' },
    { type: 'pack-stored', stripe: stripeA },
    siteJoined(c, 'charlie-old'),
    { type: 'snapshot-added', repo, snapshot: hexId('s1', 32), sealed: 'fromA' }
  ], 3000)
  const logB = await logOf(t, b, [
    { type: 'repo-created', record: repoB },
    { type: 'key-added', repo, keyId: 'k', wrapped: 'fromB' },
    { type: 'pack-stored', stripe: stripeB },
    { type: 'index-added', repo, index: 'i', location: { pack: stripeA.pack, offset: 0, length: 1 }, packs: [] },
    { type: 'snapshot-forgotten', repo, snapshot: hexId('s1', 32) }
  ], 1000)
  const logC = await logOf(t, c, [
    siteJoined(c, 'charlie-new'),
    { type: 'index-added', repo, index: 'i', location: { pack: stripeB.pack, offset: 5, length: 1 }, packs: [stripeB.pack] },
    { type: 'snapshot-added', repo, snapshot: hexId('s2', 32), sealed: 'fromC' }
  ], 2000)
  const orders = [
    [logA, logB, logC],
    [logC, logB, logA],
    [logB, logC, logA],
    // Interleaved round-robin, one entry per batch.
    [0, 1, 2, 3, 4].flatMap((i) => [logC[i], logA[i], logB[i]]).filter((e) => e !== undefined).map((e) => [e])
  ]
  const dumps: unknown[] = []
  for (const batches of orders) {
    const catalog = await openTestCatalog(t, d, resolve)
    for (const batch of batches) await catalog.ingest(batch)
    dumps.push(await dumpState(catalog, [repo]))
    // B's entries are the earliest (time 1000...): its conflicting adds win; C's site announcement is the latest.
    assert.equal((await catalog.repo(repo))?.k, 3)
    assert.deepEqual(await catalog.keys(repo), [{ keyId: 'k', wrapped: 'fromB' }])
    assert.deepEqual(await catalog.stripe(stripeA.pack), stripeB)
    assert.equal((await collect(catalog.sites()))[0]?.name, 'charlie-old')
    assert.deepEqual((await collect(catalog.snapshots(repo))).map((s) => s.sealed), ['fromC'])
    assert.deepEqual((await collect(catalog.indexObjects(repo))).map((i) => i.location.offset), [0])
  }
  for (const dump of dumps.slice(1)) assert.deepEqual(dump, dumps[0])
})

test('a site record keeps the latest announcement by entry time, whoever announced it', async (t) => {
  const early = await logOf(t, a, [siteJoined(c, 'charlie', 'old-zone')], 1000)
  const late = await logOf(t, b, [siteJoined(c, 'charlie', 'new-zone', ['/ip4/10.0.0.3/tcp/4001'])], 9000)
  for (const batches of [[early, late], [late, early]]) {
    const catalog = await openTestCatalog(t, d, resolve)
    for (const batch of batches) await catalog.ingest(batch)
    const [record] = await collect(catalog.sites())
    assert.equal(record?.zone, 'new-zone')
    assert.deepEqual(record?.addrs, ['/ip4/10.0.0.3/tcp/4001'])
    assert.equal(record?.announcedBy, b.site)
    assert.equal(record?.time, 9000)
  }
})

test('two repositories created with one name both exist; the name resolves to the earliest (createdAt, then id)', async (t) => {
  const older = repoRecord('docs', 100, b.site, hexId('docs on B'))
  const newer = repoRecord('docs', 200, a.site, hexId('docs on A'))
  const logA = await logOf(t, a, [{ type: 'repo-created', record: newer }], 1000)
  const logB = await logOf(t, b, [{ type: 'repo-created', record: older }], 2000)
  const catalog = await openTestCatalog(t, c, resolve)
  await catalog.ingest(logA)
  assert.deepEqual(await catalog.repo('docs'), newer)
  await catalog.ingest(logB)
  assert.deepEqual(await catalog.repo('docs'), older)
  assert.deepEqual(await catalog.repo(newer.repo), newer, 'the other one stays reachable by id')
  assert.equal((await collect(catalog.repos())).length, 2)
  const [lowId, highId] = [hexId('tie 1'), hexId('tie 2')].sort()
  await catalog.append([
    { type: 'repo-created', record: repoRecord('tie', 300, c.site, highId) },
    { type: 'repo-created', record: repoRecord('tie', 300, c.site, lowId) }
  ])
  assert.equal((await catalog.repo('tie'))?.repo, lowId)
})

test('a repository id displaced by an earlier conflicting record leaves no stale name behind', async (t) => {
  const late = await logOf(t, a, [{ type: 'repo-created', record: repoRecord('first-name', 100, a.site, repo) }], 5000)
  const early = await logOf(t, b, [{ type: 'repo-created', record: repoRecord('second-name', 100, b.site, repo) }], 1000)
  const catalog = await openTestCatalog(t, c, resolve)
  await catalog.ingest(late)
  await catalog.ingest(early)
  assert.equal((await catalog.repo('second-name'))?.createdBy, b.site)
  assert.equal(await catalog.repo('first-name'), undefined)
})

test('a pack claimed by two repositories keeps only the earliest claim, in either order', async (t) => {
  const otherRepo = hexId('repo other')
  const first = stripeRecord(repo, 'contested', sites)
  const second = { ...first, repo: otherRepo }
  const early = await logOf(t, a, [{ type: 'pack-stored', stripe: first }], 1000)
  const late = await logOf(t, b, [{ type: 'pack-stored', stripe: second }, { type: 'pack-deleted', repo: otherRepo, pack: first.pack }], 2000)
  for (const batches of [[early, late], [late, early]]) {
    const catalog = await openTestCatalog(t, d, resolve)
    for (const batch of batches) await catalog.ingest(batch)
    assert.deepEqual(await catalog.stripe(first.pack), first)
    assert.deepEqual(await collect(catalog.stripes()), [first])
    assert.deepEqual(await collect(catalog.stripes(otherRepo)), [])
    assert.equal(await catalog.isPackDeleted(repo, first.pack), false)
  }
})

test('shard moves show in the stripe whatever the order they arrive in, the latest move winning', async (t) => {
  const stripe = stripeRecord(repo, 'moved', sites)
  const entries = [
    ...await logOf(t, a, [{ type: 'pack-stored', stripe }], 1000),
    ...await logOf(t, b, [{ type: 'shard-moved', repo, pack: stripe.pack, index: 0, from: a.site, to: d.site }], 2000),
    ...await logOf(t, c, [{ type: 'shard-moved', repo, pack: stripe.pack, index: 0, from: d.site, to: c.site }, { type: 'shard-moved', repo, pack: stripe.pack, index: 2, from: c.site, to: d.site }], 3000)
  ]
  const expected = { ...stripe, shards: stripe.shards.map((s, i) => i === 0 ? { ...s, site: c.site } : i === 2 ? { ...s, site: d.site } : s) }
  for (const order of [entries, [...entries].reverse()]) {
    const catalog = await openTestCatalog(t, d, resolve)
    for (const entry of order) await catalog.ingest([entry]).catch(() => 0)
    // Per-site chains need their own order: ingest again until everything is in.
    for (const entry of entries) await catalog.ingest([entry])
    assert.deepEqual(await catalog.stripe(stripe.pack), expected)
    assert.deepEqual(await collect(catalog.stripes(repo)), [expected])
    for (const site of [a.site, b.site, c.site, d.site]) {
      const placed = expected.shards.filter((s) => s.site === site).map((s) => s.id).sort()
      assert.deepEqual(await collect(catalog.placedShards(site)), placed, 'the shards placed on each site follow the moves')
    }
  }
})

test('a deleted pack places no shard on any site any more', async (t) => {
  const catalog = await openTestCatalog(t, a, resolve, { now: steppingClock(1000) })
  const kept = stripeRecord(repo, 'kept', sites)
  const gone = stripeRecord(repo, 'gone', sites)
  await catalog.append([{ type: 'pack-stored', stripe: kept }, { type: 'pack-stored', stripe: gone }, { type: 'pack-deleted', repo, pack: gone.pack }])
  assert.deepEqual(await collect(catalog.placedShards(a.site)), kept.shards.filter((s) => s.site === a.site).map((s) => s.id))
})

test('a retired site stays retired, and lost wins over a drain in either order', async (t) => {
  const drained = await logOf(t, a, [{ type: 'site-retired', site: c.site, lost: false }], 1000)
  const declared = await logOf(t, b, [{ type: 'site-retired', site: c.site, lost: true }], 2000)
  for (const order of [[...drained, ...declared], [...declared, ...drained]]) {
    const catalog = await openTestCatalog(t, d, resolve)
    for (const entry of order) await catalog.ingest([entry])
    assert.deepEqual(await collect(catalog.retiredSites()), [{ site: c.site, lost: true, time: 1000 }])
  }
})
