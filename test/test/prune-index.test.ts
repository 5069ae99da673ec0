import '@resilien/polyfill'
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdir, readdir, writeFile } from 'node:fs/promises'
import { randomBytes } from 'node:crypto'
import { join } from 'node:path'
import { compareTrees, newSite, tempDir, waitFor } from '../src/index.js'
import type { Site } from '../src/index.js'

/** Shard files on a site's disk. */
async function shardFiles (site: Site): Promise<number> {
  let total = 0
  const root = join(site.dataDir, 'store', 'shards')
  for (const dir of await readdir(root).catch(() => [] as string[])) total += (await readdir(join(root, dir)).catch(() => [] as string[])).length
  return total
}

test('backup + forget --keep-last 1 --prune, six times: the repository stays the size of one snapshot, which restores byte for byte', async (t) => {
  const site = await newSite(t, 'site1', { RESILIEN_GC_INTERVAL: '1s', RESILIEN_GC_GRACE: '1s' })
  const work = await tempDir(t)
  const src = join(work, 'src')
  await mkdir(src)
  assert.equal((await site.run(['repo', 'create', 'main'])).code, 0)
  const stats = async (): Promise<{ packs: number, k: number, m: number }> => {
    const r = await site.run(['stats', 'main', '--json'])
    assert.equal(r.code, 0, r.stderr)
    return JSON.parse(r.stdout) as { packs: number, k: number, m: number }
  }

  const packs: number[] = []
  for (let i = 0; i < 6; i++) {
    await writeFile(join(src, 'f.bin'), randomBytes(100 * 1024))
    const b = await site.run(['backup', 'main', src, '--json'])
    assert.equal(b.code, 0, b.stderr)
    const f = await site.run(['forget', 'main', '--keep-last', '1', '--prune', '--json'])
    assert.equal(f.code, 0, f.stderr)
    packs.push((await stats()).packs)
  }
  // A data pack, a tree pack and one index object's pack: before, every cycle left one more index pack (3, 4, ... 8).
  assert.deepEqual(packs, [3, 3, 3, 3, 3, 3])

  const target = join(work, 'out')
  const restored = await site.run(['restore', 'main', 'latest', '--target', target])
  assert.equal(restored.code, 0, restored.stderr)
  assert.deepEqual(await compareTrees(src, join(target, src), { ignoreRootMeta: true }), [])
  const check = await site.run(['check', 'main', '--read-data'])
  assert.equal(check.code, 0, check.stdout + check.stderr)
  // The prune line says what became of the index.
  await writeFile(join(src, 'f.bin'), randomBytes(100 * 1024))
  assert.equal((await site.run(['backup', 'main', src])).code, 0)
  const line = await site.run(['forget', 'main', '--keep-last', '1', '--prune'])
  assert.match(line.stdout, /; 1 of 2 index objects rewritten \(0 new\); /)
  // The shards of the old index objects leave the disk too.
  const { k, m } = await stats()
  await waitFor('the shard GC to remove the pruned shards', async () => await shardFiles(site), (n) => n <= 3 * (k + m), 60_000)
})
