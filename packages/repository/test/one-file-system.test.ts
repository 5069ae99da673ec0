import { test } from 'node:test'
import type { TestContext } from 'node:test'
import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { mkdir, mkdtemp, readdir, rm, stat, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { backup, compileExclusion, restore, SealPool } from '../src/index.js'
import { listTreeSync } from '../src/dir-listing.js'
import { startScan } from '../src/scanner.js'
import { finished, newRepository } from './helpers.js'

const run = promisify(execFile)


/**
 * src/a.txt and src/sub/b.txt on the temp folder's file system; src/mnt/c.txt and
 * src/mnt/deep/d.txt on a tmpfs mounted for the test (mounting needs root: CI runs as root).
 * One cleanup, so that the tmpfs is unmounted before its folder is removed.
 */
async function treeWithMount (t: TestContext): Promise<string> {
  if (process.getuid?.() !== 0) throw new Error('the one-file-system tests mount a tmpfs: run them as root')
  const src = join(await mkdtemp(join(tmpdir(), 'resilien-ofs-')), 'src')
  const mnt = join(src, 'mnt')
  t.after(async () => {
    await run('umount', ['-l', mnt]).catch(() => {})
    await rm(join(src, '..'), { recursive: true, force: true })
  })
  await mkdir(join(src, 'sub'), { recursive: true })
  await mkdir(mnt)
  await writeFile(join(src, 'a.txt'), 'a')
  await writeFile(join(src, 'sub', 'b.txt'), 'b')
  await run('mount', ['-t', 'tmpfs', '-o', 'size=4m', 'tmpfs', mnt])
  await mkdir(join(src, 'mnt', 'deep'))
  await writeFile(join(src, 'mnt', 'c.txt'), 'c')
  await writeFile(join(src, 'mnt', 'deep', 'd.txt'), 'd')
  return src
}

test('with oneFileSystem a backup keeps a mount point below its path as an empty folder and reads nothing below it, with a worker and without', async (t) => {
  const { repo, dir } = await newRepository(t)
  const src = await treeWithMount(t)
  const pool = new SealPool(1)
  t.after(async () => { await pool.close() })
  for (const [label, sealPool] of [['inline', undefined], ['worker', pool]] as const) {
    const result = await backup(repo, { paths: [src], oneFileSystem: true, redundancyCheck: async () => undefined, ...(sealPool === undefined ? {} : { sealPool }) })
    assert.equal(result.stats.files, 2, `${label}: a.txt and sub/b.txt only`)
    const target = join(dir, `out-${label}`)
    await restore(repo, { snapshot: result.snapshot, target })
    assert.equal((await stat(join(target, src, 'sub', 'b.txt'))).size, 1)
    assert.ok((await stat(join(target, src, 'mnt'))).isDirectory(), `${label}: the mount point is kept`)
    assert.deepEqual(await readdir(join(target, src, 'mnt')), [], `${label}: and it is empty`)
  }
  // Without the option the walk goes into the mount: the test can tell the two apart.
  const all = await backup(repo, { paths: [src], redundancyCheck: async () => undefined, sealPool: pool })
  assert.equal(all.stats.files, 4)
  const target = join(dir, 'out-all')
  await restore(repo, { snapshot: all.snapshot, target })
  assert.equal((await stat(join(target, src, 'mnt', 'deep', 'd.txt'))).size, 1)
})

test('a one-file-system listing and scan stop at a mount point too', async (t) => {
  const src = await treeWithMount(t)
  const listed = (oneFileSystem: boolean): string[] => listTreeSync(Buffer.from(src), 64, compileExclusion({ patterns: [] }), oneFileSystem).map((l) => Buffer.from(l.path).toString())
  assert.deepEqual(listed(true).sort(), [src, join(src, 'sub')])
  assert.deepEqual(listed(false).sort(), [src, join(src, 'mnt'), join(src, 'mnt', 'deep'), join(src, 'sub')])
  for (const blocking of [false, true]) {
    assert.deepEqual(await finished(startScan([src], { blocking, oneFileSystem: true })), { files: 2, bytes: 2, complete: true }, `blocking ${String(blocking)}`)
    assert.deepEqual(await finished(startScan([src], { blocking })), { files: 4, bytes: 4, complete: true }, `blocking ${String(blocking)}, all`)
  }
})
