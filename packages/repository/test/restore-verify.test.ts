import { test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdir, open, rm, truncate, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { randomBytes } from 'node:crypto'
import { backup, nodeNameBytes, restore } from '../src/index.js'
import type { Repository, TreeNode } from '../src/index.js'
import { RestoredFileVerifier } from '../src/restore-verify.js'
import { newRepository } from './helpers.js'

const noCheck = { redundancyCheck: async () => undefined }

/** The node of the file at `path` in the latest snapshot. */
async function nodeAt (repo: Repository, path: string): Promise<TreeNode> {
  const snapshot = await repo.findSnapshot('latest')
  let tree = snapshot.record.tree
  let node: TreeNode | undefined
  for (const part of path.split('/').filter((p) => p !== '')) {
    node = (await repo.loadTree(tree)).nodes.find((n) => nodeNameBytes(n).toString() === part)
    assert.ok(node !== undefined, part)
    tree = node.subtree ?? []
  }
  return node as TreeNode
}

test('restore --verify reads every file back: a restore verifies clean; a flipped byte, a short file and a missing one are each named', async (t) => {
  const { repo, dir } = await newRepository(t)
  const src = join(dir, 'src')
  await mkdir(join(src, 'sub'), { recursive: true })
  const big = randomBytes(3 * 1024 * 1024 + 5)
  await writeFile(join(src, 'big.bin'), big)
  await writeFile(join(src, 'sub', 'small.txt'), 'small\n')
  await writeFile(join(src, 'empty'), '')
  await backup(repo, { paths: [src], ...noCheck })
  const target = join(dir, 'out')
  const result = await restore(repo, { snapshot: 'latest', target, verify: true })
  assert.deepEqual(result.warnings, [])
  assert.deepEqual(result.verified, { files: 3, bytes: big.byteLength + 6 })
  const noVerify = await restore(repo, { snapshot: 'latest', target: join(dir, 'out2') })
  assert.equal(noVerify.verified, undefined)

  const restored = (p: string): string => join(target, src, p)
  const handle = await open(restored('big.bin'), 'r+')
  await handle.write(Buffer.from([big[2_000_000] as number ^ 1]), 0, 1, 2_000_000)
  await handle.close()
  await truncate(restored('sub/small.txt'), 3)
  await rm(restored('empty'))
  const verifier = new RestoredFileVerifier(repo)
  const problems = await Promise.all(['big.bin', 'sub/small.txt', 'empty'].map(async (p) => await verifier.verify(await nodeAt(repo, join(src, p)), Buffer.from(restored(p)))))
  assert.match(problems[0] ?? '', /big\.bin: the restored bytes from \d+ to \d+ differ from the snapshot's/)
  const [from, to] = (/from (\d+) to (\d+)/.exec(problems[0] ?? '') ?? []).slice(1).map(Number)
  assert.ok((from as number) <= 2_000_000 && 2_000_000 < (to as number), 'the range holds the flipped byte')
  assert.match(problems[1] ?? '', /small\.txt: restored with 3 bytes, the snapshot has 6/)
  assert.match(problems[2] ?? '', /empty: cannot be read back to verify it/)
  assert.deepEqual(verifier.counts, { files: 0, bytes: 0 })
})

test('restore --verify passes over a file the restore could not write (one warning for it, not two) and verifies the rest', async (t) => {
  const { repo, dir } = await newRepository(t)
  const src = join(dir, 'src')
  await mkdir(src)
  await writeFile(join(src, 'a.txt'), 'a\n')
  await writeFile(join(src, 'b.txt'), 'b\n')
  await backup(repo, { paths: [src], ...noCheck })
  const target = join(dir, 'out')
  // A folder, not empty, where a.txt goes: the restore cannot put the file there.
  await mkdir(join(target, src, 'a.txt', 'in-the-way'), { recursive: true })
  const result = await restore(repo, { snapshot: 'latest', target, verify: true })
  assert.equal(result.warnings.length, 1, result.warnings.join('\n'))
  assert.match(result.warnings[0] ?? '', /a\.txt/)
  assert.deepEqual(result.verified, { files: 1, bytes: 2 })
})

