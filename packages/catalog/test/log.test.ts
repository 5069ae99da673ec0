import { test } from 'node:test'
import assert from 'node:assert/strict'
import { join } from 'node:path'
import { verify, createPublicKey } from 'node:crypto'
import { hash } from '@resilien/hashing'
import { ClosedError, fromHex, InvalidInputError, toHex } from '@resilien/types'
import type { CatalogFact } from '@resilien/types'
import { entryBytes, openCatalog } from '../src/index.js'
import { collect, hexId, makeSite, openTestCatalog, repoRecord, resolverOf, siteJoined, steppingClock, tempDir } from './helpers.js'

const a = makeSite('A')
const b = makeSite('B')
const resolve = resolverOf(a, b)
const repo = hexId('repo one')

function snapshotFacts (count: number, offset = 0): CatalogFact[] {
  return Array.from({ length: count }, (_, i) => ({ type: 'snapshot-added', repo, snapshot: hexId(`snap ${i + offset}`, 32), sealed: `sealed${i + offset}` }))
}

test('append chains entries: seq from 1, prev is the hash of the entry before, hash and Ed25519 signature check', async (t) => {
  const catalog = await openTestCatalog(t, a, resolve)
  const entries = await catalog.append([siteJoined(a, 'alpha'), ...snapshotFacts(2)])
  assert.deepEqual(entries.map((e) => e.seq), [1, 2, 3])
  assert.equal(entries[0]?.prev, '')
  assert.equal(entries[1]?.prev, entries[0]?.hash)
  assert.equal(entries[2]?.prev, entries[1]?.hash)
  const spki = Buffer.concat([Buffer.from('302a300506032b6570032100', 'hex'), a.publicKey])
  const key = createPublicKey({ key: spki, format: 'der', type: 'spki' })
  for (const entry of entries) {
    assert.equal(entry.site, a.site)
    assert.equal(entry.hash, toHex(hash(entryBytes(entry))))
    assert.ok(verify(null, fromHex(entry.hash), key, fromHex(entry.sig)))
  }
})

test('entries, heads and state survive close and reopen, and appends continue the chain', async (t) => {
  const path = join(await tempDir(t), 'catalog')
  const first = await openCatalog({ path, signer: a.signer, resolvePublicKey: resolve })
  const written = await first.append([{ type: 'repo-created', record: repoRecord('docs', 1, a.site, repo) }, ...snapshotFacts(3)])
  await first.close()
  const again = await openTestCatalog(t, a, resolve, { path })
  assert.deepEqual(await collect(again.entries(a.site, 1)), written)
  assert.deepEqual(await again.heads(), new Map([[a.site, { seq: 4, hash: written[3]?.hash }]]))
  assert.equal((await again.repo('docs'))?.repo, repo)
  assert.equal((await collect(again.snapshots(repo))).length, 3)
  const [next] = await again.append(snapshotFacts(1, 3))
  assert.equal(next?.seq, 5)
  assert.equal(next?.prev, written[3]?.hash)
})

test('concurrent appends are serialized: seqs are contiguous and the chain unbroken', async (t) => {
  const catalog = await openTestCatalog(t, a, resolve)
  const results = await Promise.all(Array.from({ length: 20 }, async (_, i) => await catalog.append(snapshotFacts(2, 2 * i))))
  const seqs = results.flat().map((e) => e.seq).sort((x, y) => x - y)
  assert.deepEqual(seqs, Array.from({ length: 40 }, (_, i) => i + 1))
  const log = await collect(catalog.entries(a.site, 1))
  for (let i = 1; i < log.length; i++) assert.equal(log[i]?.prev, log[i - 1]?.hash)
})

test('entry times never go backwards within a log, even when the clock does', async (t) => {
  const times = [5000, 3000]
  const catalog = await openTestCatalog(t, a, resolve, { now: () => times.shift() ?? 0 })
  const [first] = await catalog.append(snapshotFacts(1))
  const [second] = await catalog.append(snapshotFacts(1, 1))
  assert.equal(first?.time, 5000)
  assert.equal(second?.time, 5000)
})

test('entries(site, from, to) streams exactly the requested range in order', async (t) => {
  const catalog = await openTestCatalog(t, a, resolve, { now: steppingClock(1) })
  await catalog.append(snapshotFacts(12))
  const seqs = async (from: number, to?: number): Promise<number[]> => (await collect(catalog.entries(a.site, from, to))).map((e) => e.seq)
  assert.deepEqual(await seqs(1), Array.from({ length: 12 }, (_, i) => i + 1))
  assert.deepEqual(await seqs(9), [9, 10, 11, 12])
  assert.deepEqual(await seqs(3, 5), [3, 4, 5])
  assert.deepEqual(await seqs(10, 100), [10, 11, 12])
  assert.deepEqual(await seqs(13), [])
  assert.deepEqual(await seqs(5, 4), [])
  assert.deepEqual(await collect(catalog.entries(b.site, 1)), [])
  assert.throws(() => catalog.entries(a.site, 0), InvalidInputError)
  assert.throws(() => catalog.entries('not!a site', 1), InvalidInputError)
})

test('heads name the last seq and hash of every log held', async (t) => {
  const catalog = await openTestCatalog(t, a, resolve)
  assert.deepEqual(await catalog.heads(), new Map())
  const entries = await catalog.append(snapshotFacts(3))
  assert.deepEqual(await catalog.heads(), new Map([[a.site, { seq: 3, hash: entries[2]?.hash }]]))
})

test('an invalid fact refuses the whole append with InvalidInputError and appends nothing', async (t) => {
  const catalog = await openTestCatalog(t, a, resolve)
  const bad = { type: 'snapshot-added', repo, snapshot: 'not hex', sealed: 'x' } as unknown as CatalogFact
  await assert.rejects(catalog.append([...snapshotFacts(2), bad]), (err: unknown) =>
    err instanceof InvalidInputError && /facts\[2\]\.snapshot/.test(err.message))
  await assert.rejects(catalog.append('nope' as unknown as CatalogFact[]), InvalidInputError)
  assert.deepEqual(await catalog.heads(), new Map())
  assert.deepEqual(await collect(catalog.snapshots(repo)), [])
  assert.deepEqual(await catalog.append([]), [])
})

test('open refuses a signer whose key is not the key the resolver gives for its site', async (t) => {
  const dir = await tempDir(t)
  const impostor = { site: a.site, sign: b.signer.sign }
  await assert.rejects(openCatalog({ path: join(dir, 'x'), signer: impostor, resolvePublicKey: resolve }), InvalidInputError)
  await assert.rejects(openCatalog({ path: join(dir, 'y'), signer: a.signer, resolvePublicKey: () => undefined }), InvalidInputError)
})

test("open refuses another site's catalog directory", async (t) => {
  const path = join(await tempDir(t), 'catalog')
  await (await openCatalog({ path, signer: a.signer, resolvePublicKey: resolve })).close()
  await assert.rejects(openCatalog({ path, signer: b.signer, resolvePublicKey: resolve }), /belongs to site/)
})

test('a closed catalog refuses work with ClosedError; close is idempotent', async (t) => {
  const catalog = await openCatalog({ path: join(await tempDir(t), 'catalog'), signer: a.signer, resolvePublicKey: resolve })
  const pending = catalog.append(snapshotFacts(1))
  await catalog.close()
  assert.equal((await pending).length, 1)
  await catalog.close()
  await assert.rejects(catalog.append(snapshotFacts(1)), ClosedError)
  await assert.rejects(catalog.heads(), ClosedError)
  assert.throws(() => catalog.snapshots(repo), ClosedError)
})
