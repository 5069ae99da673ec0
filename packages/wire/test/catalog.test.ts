import '@resilien/polyfill'
import { test } from 'node:test'
import type { TestContext } from 'node:test'
import assert from 'node:assert/strict'
import { join } from 'node:path'
import { createEd25519Signer, ed25519PublicKey, openCatalog } from '@resilien/catalog'
import type { Catalog, LogEntry, PublicKeyResolver } from '@resilien/catalog'
import { hash } from '@resilien/hashing'
import { toHex } from '@resilien/types'
import type { CatalogFact } from '@resilien/types'
import { CatalogClient, pushLogTo, RemoteError, serveCatalog, syncFromPeer } from '../src/index.js'
import type { SiteHost } from '../src/index.js'
import { connectedPair, lines, tempDir } from './helpers.js'

const encoder = new TextEncoder()

interface Site { site: string, publicKey: Uint8Array, signer: ReturnType<typeof createEd25519Signer> }

function makeSite (label: string): Site {
  const seed = hash(encoder.encode(`wire test seed ${label}`))
  const site = `12D3KooWwire${label}`
  return { site, publicKey: ed25519PublicKey(seed), signer: createEd25519Signer(site, seed) }
}

const A = makeSite('A')
const B = makeSite('B')
const C = makeSite('C')
const repo = toHex(hash(encoder.encode('wire test repo')))

function resolverOf (...sites: Site[]): PublicKeyResolver {
  const keys = new Map(sites.map((s) => [s.site, s.publicKey]))
  return (site) => keys.get(site)
}

async function catalogOf (t: TestContext, site: Site, resolve: PublicKeyResolver): Promise<Catalog> {
  let now = 1_700_000_000_000
  const catalog = await openCatalog({ path: join(await tempDir(t), 'catalog'), signer: site.signer, resolvePublicKey: resolve, now: () => now++ })
  t.after(async () => { await catalog.close() })
  return catalog
}

function snapshots (count: number, from = 0): CatalogFact[] {
  return Array.from({ length: count }, (_, i) => ({
    type: 'snapshot-added', repo, snapshot: toHex(hash(encoder.encode(`snap ${from + i}`), 16)), sealed: `sealed${from + i}`
  }))
}

async function collect<T> (items: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = []
  for await (const item of items) out.push(item)
  return out
}

/** `server` serves `catalog`; `client` talks to it. */
async function catalogPair (t: TestContext, catalog: Catalog, options: { isMember?: (peer: string) => boolean, onIngested?: (n: number) => void } = {}): Promise<{ client: SiteHost, server: SiteHost, log: string[] }> {
  const pair = await connectedPair(t)
  const log = lines()
  serveCatalog(pair.server, {
    catalog,
    isMember: options.isMember ?? (() => true),
    info: async () => ({ freeBytes: 1234, storedBytes: 5678 }),
    log: log.log,
    ...(options.onIngested === undefined ? {} : { onIngested: options.onIngested })
  })
  return { ...pair, log: log.lines }
}

test('a sync round pulls a log longer than one batch, batch by batch, and both catalogs then agree', async (t) => {
  const resolve = resolverOf(A, B)
  const a = await catalogOf(t, A, resolve)
  const b = await catalogOf(t, B, resolve)
  await a.append(snapshots(1100))
  const { client, server } = await catalogPair(t, a)
  const catalogClient = new CatalogClient(client)
  const batches: number[] = []
  const pulled = await catalogClient.pull(server.peerId, A.site, 1, async (entries) => { batches.push(entries.length) })
  assert.equal(pulled, 1100)
  assert.deepEqual(batches, [1000, 100])
  const round = await syncFromPeer(catalogClient, b, server.peerId)
  assert.equal(round.ingested, 1100)
  assert.deepEqual(round.info, { freeBytes: 1234, storedBytes: 5678 })
  assert.deepEqual(await b.heads(), await a.heads())
  assert.deepEqual(await collect(b.entries(A.site, 1)), await collect(a.entries(A.site, 1)))
  // Only what is new travels the next time.
  await a.append(snapshots(3, 1100))
  assert.equal((await syncFromPeer(catalogClient, b, server.peerId)).ingested, 3)
  assert.equal((await syncFromPeer(catalogClient, b, server.peerId)).ingested, 0)
})

test('a log whose author is unknown here is skipped for the round; the other logs still sync', async (t) => {
  const a = await catalogOf(t, A, resolverOf(A, C))
  const c = await catalogOf(t, C, resolverOf(A, C))
  await c.append(snapshots(4))
  await a.ingest(await collect(c.entries(C.site, 1)))
  await a.append(snapshots(2))
  const b = await catalogOf(t, B, resolverOf(A, B)) // does not know C's key yet
  const { client, server } = await catalogPair(t, a)
  const round = await syncFromPeer(new CatalogClient(client), b, server.peerId)
  assert.equal(round.ingested, 2)
  assert.equal((await b.heads()).get(A.site)?.seq, 2)
  assert.equal((await b.heads()).has(C.site), false)
})

test('heads carry every log head and the site info', async (t) => {
  const resolve = resolverOf(A, B)
  const a = await catalogOf(t, A, resolve)
  const [last] = (await a.append(snapshots(3))).slice(-1)
  const { client, server } = await catalogPair(t, a)
  const { heads, info } = await new CatalogClient(client).heads(server.peerId)
  assert.deepEqual(heads, new Map([[A.site, { seq: 3, hash: (last as LogEntry).hash }]]))
  assert.deepEqual(info, { freeBytes: 1234, storedBytes: 5678 })
})

test('push: the peer ingests the entries and answers its head; pushLogTo stops once the peer holds upTo', async (t) => {
  const resolve = resolverOf(A, B)
  const a = await catalogOf(t, A, resolve)
  const b = await catalogOf(t, B, resolve)
  const ingestedCounts: number[] = []
  const { client, server } = await catalogPair(t, a, { onIngested: (n) => { ingestedCounts.push(n) } })
  const catalogClient = new CatalogClient(client)
  const entries = await b.append(snapshots(3))
  const head = await catalogClient.push(server.peerId, entries.slice(0, 2))
  assert.deepEqual(head, { seq: 2, hash: entries[1]?.hash })
  await b.append(snapshots(1000, 3))
  assert.equal(await pushLogTo(catalogClient, b, server.peerId, B.site, 1003), true)
  assert.equal((await a.heads()).get(B.site)?.seq, 1003)
  assert.deepEqual(ingestedCounts, [2, 1000, 1])
  assert.equal(await pushLogTo(catalogClient, b, server.peerId, B.site, 1003), true)
  assert.equal(await pushLogTo(catalogClient, b, server.peerId, B.site, 2000), false, 'we do not hold seq 2000')
  assert.equal(ingestedCounts.length, 3, 'nothing new was pushed')
  assert.equal(await catalogClient.push(server.peerId, []), undefined)
})

test('pushLogTo answers false when the peer cannot take our log yet (it lacks our key)', async (t) => {
  const a = await catalogOf(t, A, resolverOf(A))
  const b = await catalogOf(t, B, resolverOf(A, B))
  await b.append(snapshots(2))
  const { client, server } = await catalogPair(t, a)
  assert.equal(await pushLogTo(new CatalogClient(client), b, server.peerId, B.site, 2), false)
  assert.equal((await a.heads()).has(B.site), false)
})

test('a pushed batch with a tampered entry is refused whole with the reason, and nothing is applied', async (t) => {
  const resolve = resolverOf(A, B)
  const a = await catalogOf(t, A, resolve)
  const b = await catalogOf(t, B, resolve)
  const entries = await b.append(snapshots(3))
  const tampered = entries.map((e, i) => i === 2 ? { ...e, time: e.time + 1 } : e)
  const { client, server, log } = await catalogPair(t, a)
  await assert.rejects(new CatalogClient(client).push(server.peerId, tampered), (err: unknown) => {
    assert.ok(err instanceof RemoteError, String(err))
    assert.equal(err.code, 'rejected')
    assert.equal(err.reason, 'bad-hash')
    assert.equal(err.permanent, true)
    return true
  })
  assert.equal((await a.heads()).has(B.site), false)
  assert.equal(log.length, 1)
})

test('a non-member gets not-member from the catalog protocol', async (t) => {
  const a = await catalogOf(t, A, resolverOf(A))
  const { client, server, log } = await catalogPair(t, a, { isMember: () => false })
  await assert.rejects(new CatalogClient(client).heads(server.peerId), (err: unknown) => err instanceof RemoteError && err.code === 'not-member')
  assert.equal(log.length, 1)
})
