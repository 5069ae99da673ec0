import { test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdir, symlink, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { backup, nodeNameBytes, REWRITE_TAG, rewriteSnapshots } from '../src/index.js'
import type { Repository } from '../src/index.js'
import { newRepository } from './helpers.js'

const noCheck = { redundancyCheck: async () => undefined }

/** Every path below a snapshot's root, depth first. */
async function paths (repo: Repository, tree: string[], prefix = ''): Promise<string[]> {
  const out: string[] = []
  for (const node of (await repo.loadTree(tree)).nodes) {
    const path = `${prefix}/${nodeNameBytes(node).toString('utf8')}`
    out.push(path)
    if (node.subtree !== undefined) out.push(...await paths(repo, node.subtree, path))
  }
  return out
}

test('an anchored pattern takes out one path, an unanchored one every match; the new record keeps time, names its original, counts less', async (t) => {
  const { repo, dir } = await newRepository(t)
  const src = join(dir, 'src')
  // Two folders alike: the same names at two places.
  for (const side of ['a', 'b']) {
    await mkdir(join(src, side, 'x'), { recursive: true })
    await writeFile(join(src, side, 'x', 'secret'), 'same\n')
    await writeFile(join(src, side, 'x', 'kept'), 'same\n')
  }
  // A folder that goes whole, with a file, a symlink and a folder in it.
  await mkdir(join(src, 'gone', 'inner'), { recursive: true })
  await writeFile(join(src, 'gone', 'inner', 'f'), 'twelve bytes')
  await symlink('inner/f', join(src, 'gone', 'link'))
  await backup(repo, { paths: [src], ...noCheck })
  const before = (await repo.listSnapshots())[0]
  assert.ok(before !== undefined)
  const listed = await paths(repo, before.record.tree)
  const result = await rewriteSnapshots(repo, [before], { exclude: [join(src, 'a', 'x', 'secret'), join(src, 'gone')], ...noCheck })
  // As backup counts: regular files and their bytes, folders; the symlink goes uncounted.
  assert.deepEqual(result.rewritten.map((r) => r.removed), [{ files: 2, dirs: 2, bytes: 5 + 12 }])
  const after = (await repo.listSnapshots()).find((s) => s.id === result.rewritten[0]?.to)
  assert.ok(after !== undefined)
  assert.deepEqual(await paths(repo, after.record.tree), listed.filter((p) => p !== join(src, 'a', 'x', 'secret') && !p.startsWith(join(src, 'gone'))))
  assert.deepEqual(after.record.tags, [REWRITE_TAG])
  assert.equal(after.record.original, before.id)
  const { files, dirs, totalBytes } = before.record.stats
  assert.deepEqual([after.record.stats.files, after.record.stats.dirs, after.record.stats.totalBytes, after.record.time], [files - 2, dirs - 2, totalBytes - 17, before.record.time])

  // An unanchored pattern takes it from both places; the folders on the way to b/x are stored anew.
  const both = await rewriteSnapshots(repo, [before], { exclude: ['secret'], forget: true, ...noCheck })
  assert.deepEqual(both.rewritten.map((r) => r.removed), [{ files: 2, dirs: 0, bytes: 10 }])
  // Every path of the snapshot: refused, nothing written.
  await assert.rejects(rewriteSnapshots(repo, [after], { exclude: [src], ...noCheck }), /take every path out of snapshot/)
  const ids = (await repo.listSnapshots()).map((s) => s.id)
  assert.ok(!ids.includes(before.id), 'forgotten with its rewrite')
})
