import { test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { randomBytes } from 'node:crypto'
import { fromHex, toHex } from '@resilien/types'
import { BlobType, MIN_PACK_SIZE, backup, checkRepository, decodeIndexObject, openRepository, prune, restore } from '../src/index.js'
import type { Repository } from '../src/index.js'
import { newRepository, PASSPHRASE } from './helpers.js'

const noCheck = { redundancyCheck: async () => undefined }

async function count<T> (items: AsyncIterable<T>): Promise<number> {
  let n = 0
  for await (const item of items) if (item !== undefined) n++
  return n
}

/** How many live packs hold each data blob, as every machine's index objects list them. */
async function liveCopies (repo: Repository): Promise<Map<string, number>> {
  const { catalog } = repo.components
  const copies = new Map<string, number>()
  const listed = new Set<string>()
  for await (const obj of catalog.indexObjects(repo.id)) {
    if (await catalog.isPackDeleted(repo.id, obj.location.pack)) continue
    const plain = await repo.reader.read({ id: fromHex(obj.index), type: BlobType.index, ...obj.location })
    for (const { pack, entries } of decodeIndexObject(plain).packs) {
      // A pack two index objects list (a prune cut off) holds its blobs once.
      if (listed.has(pack) || await catalog.isPackDeleted(repo.id, pack)) continue
      listed.add(pack)
      for (const e of entries) if (e.type === BlobType.data) copies.set(toHex(e.id), (copies.get(toHex(e.id)) ?? 0) + 1)
    }
  }
  return copies
}

test('prune deletes or repacks what only forgotten snapshots used; kept snapshots restore, also on a fresh machine', async (t) => {
  const { repo, catalog, dir } = await newRepository(t)
  const src = join(dir, 'src')
  await mkdir(src)
  const gone = randomBytes(6_000_000)
  const kept = randomBytes(3_000_000)
  await writeFile(join(src, 'gone.bin'), gone)
  await writeFile(join(src, 'kept.bin'), kept)
  const first = await backup(repo, { paths: [src], ...noCheck })
  await rm(join(src, 'gone.bin'))
  await writeFile(join(src, 'new.txt'), 'fresh\n'.repeat(1000))
  const second = await backup(repo, { paths: [src], ...noCheck })
  await catalog.append([{ type: 'snapshot-forgotten', repo: repo.id, snapshot: first.snapshot }])
  const stripesBefore = await count(catalog.stripes(repo.id))
  // Another key holder whose index knew every pack before the prune.
  const other = await openRepository(repo.components, { repo: 'main', passphrase: PASSPHRASE, cacheDir: join(dir, 'cache-3') })
  t.after(async () => other.close())

  const dry = await prune(repo, { workDir: join(dir, 'cache'), dryRun: true })
  assert.ok(dry.packsDeleted + dry.packsRepacked > 0, JSON.stringify(dry))
  assert.equal(await count(catalog.stripes(repo.id)), stripesBefore, 'a dry run deletes nothing')

  const result = await prune(repo, { workDir: join(dir, 'cache') })
  assert.deepEqual({ ...result, dryRun: true }, dry, 'the dry run said what the prune then did')
  // The pack where gone.bin ends and kept.bin begins is partly used: its kept blobs are copied as sealed into a new pack.
  assert.ok(result.packsRepacked >= 1, JSON.stringify(result))
  assert.ok(result.packedBytesFreed >= 5_000_000, `freed ${result.packedBytesFreed} bytes of the 6 MB only the forgotten snapshot used`)
  assert.ok(await count(catalog.stripes(repo.id)) < stripesBefore + result.packsRepacked)
  assert.equal(await count(catalog.deletedPacks(repo.id)), result.packsDeleted + result.packsRepacked)

  const out = join(dir, 'out')
  await restore(repo, { snapshot: second.snapshot, target: out })
  assert.ok((await readFile(join(out, src, 'kept.bin'))).equals(kept))
  assert.equal(await readFile(join(out, src, 'new.txt'), 'utf8'), 'fresh\n'.repeat(1000))
  assert.deepEqual((await checkRepository(repo, { readData: true })).problems, [])

  // Another machine with the passphrase builds its index from the index objects: deleted packs are left out.
  const fresh = await openRepository(repo.components, { repo: 'main', passphrase: PASSPHRASE, cacheDir: join(dir, 'cache-2') })
  t.after(async () => fresh.close())
  const out2 = join(dir, 'out2')
  await restore(fresh, { snapshot: 'latest', target: out2 })
  assert.ok((await readFile(join(out2, src, 'kept.bin'))).equals(kept))
  // A backup there does not dedup against pruned data: the removed file is stored again in full.
  await writeFile(join(src, 'gone.bin'), gone)
  const again = await backup(fresh, { paths: [src], ...noCheck })
  assert.ok(again.stats.newBytes >= gone.length, `stored ${again.stats.newBytes} new bytes`)
  // The other key holder's index still lists the deleted packs: it must not dedup against them either.
  await rm(join(src, 'new.txt'))
  const fromOther = await backup(other, { paths: [src], ...noCheck })
  assert.ok(fromOther.stats.newBytes >= gone.length, `the other key holder stored ${fromOther.stats.newBytes} new bytes`)
  const second2 = await prune(fresh, { workDir: join(dir, 'cache-2') })
  assert.equal(second2.packsDeleted + second2.packsRepacked, 0, 'nothing left to prune')
})

test('prune keeps what a snapshot reaches through a large folder whose tree shares only its first blob with a newer one', async (t) => {
  const { repo, catalog, dir } = await newRepository(t)
  const src = join(dir, 'src')
  await mkdir(src)
  // 1,500 entries: the folder's tree is some 400 kB of JSON, cut into several tree blobs.
  for (let i = 0; i < 1500; i++) await writeFile(join(src, `photo-${String(i).padStart(5, '0')}-with-a-long-name.jpg`), `p${i}`)
  const before = randomBytes(5_000_000)
  await writeFile(join(src, 'zz-last.bin'), before)
  const first = await backup(repo, { paths: [src], ...noCheck })
  // Only the last entry changes: the folder's first tree blob is the same in both snapshots.
  const after = randomBytes(5_000_000)
  await writeFile(join(src, 'zz-last.bin'), after)
  const second = await backup(repo, { paths: [src], ...noCheck })
  const trees = await Promise.all([first, second].map(async (b) => {
    const root = await repo.loadTree((await repo.findSnapshot(b.snapshot)).record.tree)
    let node = root.nodes[0]
    while (node?.subtree !== undefined && node.name !== 'src') node = (await repo.loadTree(node.subtree)).nodes[0]
    return node?.subtree ?? []
  }))
  const [a, b] = trees as [string[], string[]]
  assert.ok(a.length > 1, `the folder's tree has several blobs (${a.length})`)
  assert.equal(a[0], b[0], 'both trees start with the same blob')
  assert.notDeepEqual(a, b)
  // A third snapshot, forgotten, so that the prune has something to sweep.
  await writeFile(join(src, 'extra.bin'), randomBytes(3_000_000))
  const third = await backup(repo, { paths: [src], ...noCheck })
  await catalog.append([{ type: 'snapshot-forgotten', repo: repo.id, snapshot: third.snapshot }])

  await prune(repo, { workDir: join(dir, 'cache') })
  for (const [snapshot, data] of [[first.snapshot, before], [second.snapshot, after]] as const) {
    const out = join(dir, `out-${snapshot}`)
    await restore(repo, { snapshot, target: out })
    assert.ok((await readFile(join(out, src, 'zz-last.bin'))).equals(data), `snapshot ${snapshot.slice(0, 8)} restores its own zz-last.bin`)
  }
  assert.deepEqual((await checkRepository(repo, { readData: true })).problems, [])
})

test('blobs held by two repacked packs (two key holders stored them) are copied once, however far apart the packs are', async (t) => {
  const { repo, dir } = await newRepository(t, { packSize: MIN_PACK_SIZE })
  // Opened before anything is stored: its index will not know the first machine's packs, so it stores the shared files again.
  const other = await openRepository(repo.components, { repo: 'main', passphrase: PASSPHRASE, cacheDir: join(dir, 'cache-other') })
  t.after(async () => other.close())
  const pairs = 40
  const shared = Array.from({ length: pairs }, () => randomBytes(20_000))
  // Each machine stores every shared file next to a larger one that goes: every pack is about
  // three quarters unused and is repacked. The shared copies (800 KB) fill several new packs,
  // which are stored (one in flight) before the sweep meets the other machine's copies, in
  // whichever order it reads the two machines' index objects.
  const folder = async (name: string): Promise<string> => {
    const path = join(dir, name)
    await mkdir(path)
    for (let i = 0; i < pairs; i++) {
      await writeFile(join(path, `${String(i).padStart(2, '0')}-a-shared.bin`), shared[i] as Buffer)
      await writeFile(join(path, `${String(i).padStart(2, '0')}-b-gone.bin`), randomBytes(60_000))
    }
    return path
  }
  const mine = await folder('mine')
  const theirs = await folder('theirs')
  const forgotten = [(await backup(repo, { paths: [mine], ...noCheck })).snapshot, (await backup(other, { paths: [theirs], ...noCheck })).snapshot]
  const before = await liveCopies(repo)
  assert.ok([...before.values()].filter((n) => n === 2).length >= pairs, 'every shared file (one chunk) is stored twice before the prune')
  for (const path of [mine, theirs]) for (let i = 0; i < pairs; i++) await rm(join(path, `${String(i).padStart(2, '0')}-b-gone.bin`))
  await repo.syncIndex()
  const kept = await backup(repo, { paths: [mine, theirs], ...noCheck })
  assert.ok(kept.stats.newBytes < 40_000, `the kept snapshot stores no file again, only its folders (${kept.stats.newBytes} bytes)`)
  await repo.components.catalog.append(forgotten.map((snapshot) => ({ type: 'snapshot-forgotten' as const, repo: repo.id, snapshot })))

  const dry = await prune(repo, { workDir: join(dir, 'cache-dry'), dryRun: true })
  const result = await prune(repo, { workDir: join(dir, 'cache') })
  assert.deepEqual({ ...result, dryRun: true }, dry, 'the dry run said what the prune then did')
  assert.ok(result.packsRepacked >= 8, JSON.stringify(result))
  const after = await liveCopies(repo)
  assert.deepEqual([...after.values()].filter((n) => n !== 1), [], 'every live blob is held by one pack')
  assert.ok(result.bytesRepacked < pairs * 20_000 * 1.01, `copied ${result.bytesRepacked} bytes for ${pairs * 20_000} bytes of shared files`)
  const out = join(dir, 'out')
  await restore(repo, { snapshot: kept.snapshot, target: out })
  for (const path of [mine, theirs]) assert.ok((await readFile(join(out, path, '07-a-shared.bin'))).equals(shared[7] as Buffer))
  assert.deepEqual((await checkRepository(repo, { readData: true })).problems, [])
})
