import { test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { randomBytes } from 'node:crypto'
import type { Catalog } from '@resilien/catalog'
import { fromHex } from '@resilien/types'
import type { CatalogFact } from '@resilien/types'
import { BlobType, MIN_PACK_SIZE, PACKS_PER_INDEX_OBJECT, backup, checkRepository, decodeIndexObject, openRepository, prune, restore } from '../src/index.js'
import type { Repository } from '../src/index.js'
import { newRepository, PASSPHRASE } from './helpers.js'
import type { TestContext } from './helpers.js'

const noCheck = { redundancyCheck: async () => undefined }

/** Live stripes of the repository: what `stats` counts as packs. */
async function livePacks (catalog: Catalog, repo: string): Promise<number> {
  let n = 0
  for await (const s of catalog.stripes(repo)) if (!await catalog.isPackDeleted(repo, s.pack)) n++
  return n
}

/**
 * The index objects a fresh machine reads (those whose own pack is live): how many, the most
 * packs one lists, and how many listings point into deleted packs. Asserts that every other
 * live pack (data and trees) is listed exactly once, unless `settled` is false (a prune was cut
 * off: a pack may be listed twice, or not yet, its machine holding it as unpublished).
 */
async function liveIndex (repo: Repository, settled = true): Promise<{ objects: number, largest: number, staleListings: number }> {
  const { catalog } = repo.components
  let objects = 0
  let largest = 0
  let staleListings = 0
  const listed = new Map<string, number>()
  const indexPacks = new Set<string>()
  for await (const obj of catalog.indexObjects(repo.id)) {
    if (await catalog.isPackDeleted(repo.id, obj.location.pack)) continue
    objects++
    indexPacks.add(obj.location.pack)
    const plain = await repo.reader.read({ id: fromHex(obj.index), type: BlobType.index, ...obj.location })
    const { packs } = decodeIndexObject(plain)
    largest = Math.max(largest, packs.length)
    for (const { pack } of packs) {
      if (await catalog.isPackDeleted(repo.id, pack)) staleListings++
      else listed.set(pack, (listed.get(pack) ?? 0) + 1)
    }
  }
  const live: string[] = []
  for await (const s of catalog.stripes(repo.id)) if (!await catalog.isPackDeleted(repo.id, s.pack) && !indexPacks.has(s.pack)) live.push(s.pack)
  if (settled) assert.deepEqual(live.filter((pack) => listed.get(pack) !== 1), [], 'every live pack is listed by one live index object')
  return { objects, largest, staleListings }
}

/** Forgets every snapshot but the newest (forget --keep-last 1). */
async function keepLastOne (repo: Repository): Promise<void> {
  const all = await repo.listSnapshots()
  const old = all.slice(0, -1).map((s) => ({ type: 'snapshot-forgotten' as const, repo: repo.id, snapshot: s.id }))
  if (old.length > 0) await repo.components.catalog.append(old)
}

/** Every snapshot restores byte for byte on a machine that builds its index from the catalog alone, and check --read-data is clean. */
async function assertRestorable (t: TestContext, repo: Repository, dir: string, expected: Map<string, Map<string, Buffer>>, label: string): Promise<void> {
  const fresh = await openRepository(repo.components, { repo: 'main', passphrase: PASSPHRASE, cacheDir: join(dir, `cache-${label}`) })
  t.after(async () => fresh.close())
  for (const [snapshot, files] of expected) {
    const out = join(dir, `out-${label}-${snapshot.slice(0, 8)}`)
    await restore(fresh, { snapshot, target: out })
    for (const [path, data] of files) assert.ok((await readFile(join(out, path))).equals(data), `${label}: ${path} of ${snapshot.slice(0, 8)} restores byte for byte`)
  }
  assert.deepEqual((await checkRepository(fresh, { readData: true })).problems, [], `${label}: check --read-data`)
}

test('backup + forget --keep-last 1 + prune, six times over one changing file: the packs and index objects stay as few as one snapshot needs', async (t) => {
  const { repo, catalog, dir } = await newRepository(t)
  const src = join(dir, 'src')
  await mkdir(src)
  const packs: number[] = []
  let last = { snapshot: '', data: Buffer.alloc(0) }
  for (let i = 0; i < 6; i++) {
    const data = randomBytes(100_000)
    await writeFile(join(src, 'f.bin'), data)
    const b = await backup(repo, { paths: [src], ...noCheck })
    last = { snapshot: b.snapshot, data }
    await keepLastOne(repo)
    const result = await prune(repo, { workDir: join(dir, 'cache') })
    if (i > 0) assert.ok(result.indexObjectsRewritten >= 1, `cycle ${i}: the index object of the forgotten snapshot goes (${JSON.stringify(result)})`)
    packs.push(await livePacks(catalog, repo.id))
    const index = await liveIndex(repo)
    assert.equal(index.objects, 1, `cycle ${i}: one index object`)
    assert.equal(index.staleListings, 0, `cycle ${i}: no index object lists a deleted pack`)
  }
  // A data pack, a tree pack and the index object's pack, after every cycle.
  assert.deepEqual(packs, [3, 3, 3, 3, 3, 3])
  await assertRestorable(t, repo, dir, new Map([[last.snapshot, new Map([[join(src, 'f.bin'), last.data]])]]), 'end')
})

test('files that stay: the index objects of kept packs are rewritten with their live entries, combined, and the repository stays bounded', async (t) => {
  const { repo, dir } = await newRepository(t)
  const src = join(dir, 'src')
  await mkdir(src)
  // Another key holder, whose index learns the index objects as they come and go.
  const other = await openRepository(repo.components, { repo: 'main', passphrase: PASSPHRASE, cacheDir: join(dir, 'cache-other') })
  t.after(async () => other.close())
  const files = new Map<string, Buffer>()
  let last = ''
  const objects: number[] = []
  for (let i = 0; i < 6; i++) {
    // A new file each time, and the oldest goes: the kept snapshot needs packs of several backups.
    const data = randomBytes(300_000)
    await writeFile(join(src, `f${i}.bin`), data)
    files.set(join(src, `f${i}.bin`), data)
    if (i >= 3) {
      await rm(join(src, `f${i - 3}.bin`))
      files.delete(join(src, `f${i - 3}.bin`))
    }
    last = (await backup(repo, { paths: [src], ...noCheck })).snapshot
    await keepLastOne(repo)
    const dry = await prune(repo, { workDir: join(dir, 'cache'), dryRun: true })
    const result = await prune(repo, { workDir: join(dir, 'cache') })
    assert.deepEqual({ ...result, dryRun: true }, dry, `cycle ${i}: the dry run said what the prune did`)
    const index = await liveIndex(repo)
    assert.equal(index.staleListings, 0, `cycle ${i}: no index object lists a deleted pack`)
    objects.push(index.objects)
    await other.syncIndex()
  }
  t.diagnostic(`index objects after each cycle: ${objects.join(',')}`)
  assert.ok(objects.every((n) => n <= 2), `index objects after each cycle: ${objects.join(',')}`)
  await assertRestorable(t, repo, dir, new Map([[last, new Map(files)]]), 'end')
  // Nothing left to do: a second prune rewrites nothing.
  const again = await prune(repo, { workDir: join(dir, 'cache') })
  assert.equal(again.packsDeleted + again.packsRepacked + again.indexObjectsRewritten, 0, JSON.stringify(again))
  // The other key holder's index, built from index objects since replaced, finds every kept chunk:
  // it restores, checks clean, and a backup of the same files stores no file data again.
  const out = join(dir, 'out-other')
  await restore(other, { snapshot: last, target: out })
  for (const [path, data] of files) assert.ok((await readFile(join(out, path))).equals(data), `the other key holder restores ${path}`)
  assert.deepEqual((await checkRepository(other, { readData: true })).problems, [])
  const same = await backup(other, { paths: [src], ...noCheck })
  // Only the trees of the folders above src, whose times the restores changed.
  assert.ok(same.stats.newBytes < 16 * 1024, `the other key holder stored ${same.stats.newBytes} new bytes: no file data`)
})

/**
 * A repository with three snapshots, the first two forgotten: its prune deletes data packs,
 * repacks one (the tail of a removed file shares it with a kept one), rewrites index objects
 * and deletes their packs.
 */
async function pruneScenario (t: TestContext, wrap?: (catalog: Catalog) => Catalog): Promise<{ repo: Repository, wrapped: Repository, dir: string, expected: Map<string, Map<string, Buffer>> }> {
  const { repo, dir } = await newRepository(t)
  const src = join(dir, 'src')
  await mkdir(src)
  const kept = new Map<string, Buffer>()
  const add = async (name: string, size: number, keep: boolean): Promise<void> => {
    const data = randomBytes(size)
    await writeFile(join(src, name), data)
    if (keep) kept.set(join(src, name), data)
  }
  await add('a.bin', 400_000, true)
  await backup(repo, { paths: [src], ...noCheck })
  await add('b.bin', 5_000_000, false)
  await add('c.bin', 1_000_000, true)
  await backup(repo, { paths: [src], ...noCheck })
  await rm(join(src, 'b.bin'))
  await add('d.bin', 400_000, true)
  await backup(repo, { paths: [src], ...noCheck })
  await keepLastOne(repo)
  const [latest] = await repo.listSnapshots()
  const wrapped = wrap === undefined
    ? repo
    : await openRepository({ ...repo.components, catalog: wrap(repo.components.catalog) }, { repo: 'main', passphrase: PASSPHRASE, cacheDir: join(dir, 'cache-wrapped') })
  return { repo, wrapped, dir, expected: new Map([[latest?.id as string, kept]]) }
}

/** The catalog, with `append` failing (as if the machine died just before it) from its `failAt`-th call on. */
function crashingCatalog (catalog: Catalog, failAt: number, appended: CatalogFact[][]): Catalog {
  let calls = 0
  return new Proxy(catalog, {
    get (target, prop) {
      if (prop === 'append') {
        return async (facts: CatalogFact[]) => {
          if (++calls >= failAt) throw new Error(`crash before catalog append ${calls}`)
          appended.push(facts)
          return await target.append(facts)
        }
      }
      const value = Reflect.get(target, prop, target) as unknown
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value
    }
  })
}

test('a prune cut off before any catalog append it makes leaves every kept snapshot restorable, check clean, and the next prune finishes the job', async (t) => {
  // Count the appends of an uninterrupted prune of the same scenario.
  const probe: CatalogFact[][] = []
  const full = await pruneScenario(t, (c) => crashingCatalog(c, Infinity, probe))
  const done = await prune(full.wrapped, { workDir: join(full.dir, 'cache-prune') })
  await full.wrapped.close()
  assert.ok(done.indexObjectsRewritten >= 1 && done.packsDeleted >= 1 && done.packsRepacked >= 1, JSON.stringify(done))
  const kinds = probe.map((facts) => [...new Set(facts.map((f) => f.type))].join('+'))
  t.diagnostic(`catalog appends of the prune: ${kinds.join(', ')}`)
  // Data packs go first, then new index objects are committed, then the packs of the old ones go.
  const firstNewIndex = kinds.lastIndexOf('pack-stored+index-added')
  assert.ok(firstNewIndex >= 0 && kinds.slice(firstNewIndex + 1).every((k) => k === 'pack-deleted'), kinds.join(' '))
  const settled = await liveIndex(full.repo)

  for (let failAt = 1; failAt <= probe.length; failAt++) {
    const appended: CatalogFact[][] = []
    const { repo, wrapped, dir, expected } = await pruneScenario(t, (c) => crashingCatalog(c, failAt, appended))
    await assert.rejects(prune(wrapped, { workDir: join(dir, 'cache-prune') }), /crash before catalog append/)
    await wrapped.close()
    if (failAt === probe.length) {
      // The point that matters most: new index objects committed, the old ones not yet deleted.
      assert.equal(appended.at(-1)?.map((f) => f.type).join('+'), 'pack-stored+index-added')
      assert.ok((await liveIndex(repo, false)).objects > settled.objects, 'old and new index objects are both live')
    }
    await assertRestorable(t, repo, dir, expected, `crash-${failAt}`)
    // The same machine runs the prune again, as the node does (publishing what the cut-off one
    // stored and did not publish yet), and it finishes what the first began.
    const again = await openRepository(repo.components, { repo: 'main', passphrase: PASSPHRASE, cacheDir: join(dir, 'cache-wrapped') })
    t.after(async () => again.close())
    await prune(again, { workDir: join(dir, 'cache-prune'), publishLeftovers: true })
    const index = await liveIndex(again)
    assert.equal(index.staleListings, 0, `after a crash at append ${failAt} and a re-run: no stale listing`)
    assert.ok(index.objects <= Math.max(settled.objects, 2), `after a crash at append ${failAt} and a re-run: ${index.objects} index objects`)
    await assertRestorable(t, repo, dir, expected, `rerun-${failAt}`)
  }
})

test('index objects listing many packs: the live listings are streamed into new index objects of the normal size', async (t) => {
  const { repo, dir } = await newRepository(t, { packSize: MIN_PACK_SIZE })
  const src = join(dir, 'src')
  await mkdir(src)
  const files = new Map<string, Buffer>()
  // ~100 packs of 256 KiB: a first backup publishes them in more than one index object.
  for (let i = 0; i < 60; i++) {
    const data = randomBytes(400_000)
    await writeFile(join(src, `f${String(i).padStart(2, '0')}.bin`), data)
    files.set(join(src, `f${String(i).padStart(2, '0')}.bin`), data)
  }
  await backup(repo, { paths: [src], ...noCheck })
  assert.ok((await liveIndex(repo)).largest === PACKS_PER_INDEX_OBJECT, 'a full index object to begin with')
  // Every third file goes, and a new one comes.
  for (const path of [...files.keys()].filter((_, i) => i % 3 === 0)) {
    await rm(path)
    files.delete(path)
  }
  const data = randomBytes(400_000)
  await writeFile(join(src, 'new.bin'), data)
  files.set(join(src, 'new.bin'), data)
  const last = (await backup(repo, { paths: [src], ...noCheck })).snapshot
  await keepLastOne(repo)

  // No repacking: the packs the removed files shared with kept ones stay, more than one index object's worth.
  const result = await prune(repo, { workDir: join(dir, 'cache'), repackThreshold: 1 })
  t.diagnostic(JSON.stringify(result))
  assert.ok(result.packsDeleted > result.indexObjectsRewritten, 'data packs went')
  assert.ok(result.indexObjectsRewritten >= 2 && result.indexObjectsWritten >= 2, JSON.stringify(result))
  const index = await liveIndex(repo)
  assert.equal(index.staleListings, 0)
  assert.ok(index.largest <= PACKS_PER_INDEX_OBJECT, `at most ${PACKS_PER_INDEX_OBJECT} packs in an index object (${index.largest})`)
  await assertRestorable(t, repo, dir, new Map([[last, files]]), 'many')
})

test('a backup whose files in flight reach the index object threshold together stores each index object once: no pack that nothing lists or prunes', async (t) => {
  const { repo, dir } = await newRepository(t, { packSize: MIN_PACK_SIZE })
  const src = join(dir, 'src')
  await mkdir(src)
  for (let i = 0; i < 60; i++) await writeFile(join(src, `f${i}.bin`), randomBytes(400_000))
  await backup(repo, { paths: [src], ...noCheck })
  // liveIndex asserts it: every live pack but the index objects' own is listed, once.
  assert.ok((await liveIndex(repo)).objects >= 2)
})

test('listings that come out as an index object an earlier prune replaced get an id of their own, so every machine still reads them', async (t) => {
  const { repo, dir } = await newRepository(t)
  const [a, b] = [join(dir, 'a'), join(dir, 'b')]
  await mkdir(a)
  await mkdir(b)
  const data = randomBytes(100_000)
  await writeFile(join(a, 'f.bin'), data)
  // Series A alone in its index object IA; series B twice.
  const kept = await backup(repo, { paths: [a], ...noCheck })
  const forget = async (snapshot: string): Promise<void> => { await repo.components.catalog.append([{ type: 'snapshot-forgotten', repo: repo.id, snapshot }]) }
  const series: string[] = []
  for (let i = 0; i < 2; i++) {
    await writeFile(join(b, 'f.bin'), randomBytes(100_000))
    series.push((await backup(repo, { paths: [b], ...noCheck })).snapshot)
  }
  // Prune 1 replaces B's first index object and combines the small ones: IA goes into a new object with B's.
  await forget(series[0] as string)
  assert.ok((await prune(repo, { workDir: join(dir, 'cache') })).indexObjectsRewritten >= 2)
  // Prune 2: without B, the live listings are IA's again, byte for byte. With IA's id, their
  // `index-added` lost to IA's own row, whose pack prune 1 deleted, and they were lost to every
  // other machine.
  await forget(series[1] as string)
  await prune(repo, { workDir: join(dir, 'cache') })
  assert.equal((await liveIndex(repo)).staleListings, 0)
  await assertRestorable(t, repo, dir, new Map([[kept.snapshot, new Map([[join(a, 'f.bin'), data]])]]), 'salted')
})
