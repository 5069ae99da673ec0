import { test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { randomBytes } from 'node:crypto'
import { backup, checkRepository, openRepository, prune, restore } from '../src/index.js'
import { newRepository, PASSPHRASE } from './helpers.js'

const noCheck = { redundancyCheck: async () => undefined }

async function count<T> (items: AsyncIterable<T>): Promise<number> {
  let n = 0
  for await (const item of items) if (item !== undefined) n++
  return n
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
