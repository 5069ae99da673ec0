import { test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdir, readdir, stat, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { InvalidInputError } from '@resilien/types'
import { backup, CACHEDIR_TAG, compileExclusion, parseFolderMarker, restore, SealPool } from '../src/index.js'
import type { BackupOptions } from '../src/index.js'
import { listTreeSync } from '../src/dir-listing.js'
import { startScan } from '../src/scanner.js'
import { finished, newRepository } from './helpers.js'

/**
 * src/keep.txt (4 bytes), src/big.bin (5000 bytes);
 * src/thumbs: a cache with a valid CACHEDIR.TAG, a file and a sub-folder;
 * src/fake: a CACHEDIR.TAG without the signature, and a file;
 * src/private: .nobackup, a file and a sub-folder.
 */
async function markedTree (root: string): Promise<string> {
  const src = join(root, 'src')
  await mkdir(join(src, 'thumbs', 'deep'), { recursive: true })
  await mkdir(join(src, 'fake'), { recursive: true })
  await mkdir(join(src, 'private', 'sub'), { recursive: true })
  await writeFile(join(src, 'keep.txt'), 'keep')
  await writeFile(join(src, 'big.bin'), Buffer.alloc(5000, 7))
  await writeFile(join(src, 'thumbs', 'CACHEDIR.TAG'), `${CACHEDIR_TAG.header as string}\n# This file is a cache directory tag.\n`)
  await writeFile(join(src, 'thumbs', 't1.png'), 'png')
  await writeFile(join(src, 'thumbs', 'deep', 't2.png'), 'png')
  await writeFile(join(src, 'fake', 'CACHEDIR.TAG'), 'not a signature\n')
  await writeFile(join(src, 'fake', 'data.txt'), 'data')
  await writeFile(join(src, 'private', '.nobackup'), '')
  await writeFile(join(src, 'private', 'secret.txt'), 'secret')
  await writeFile(join(src, 'private', 'sub', 'more.txt'), 'more')
  return src
}

const RULES: Pick<BackupOptions, 'excludeMarkers' | 'excludeLargerThan'> = {
  excludeMarkers: [CACHEDIR_TAG, parseFolderMarker('.nobackup')],
  excludeLargerThan: 4096
}

test('markers keep only themselves in their folder (a cache tag only with its signature), and files over the size limit stay out, with a worker and without', async (t) => {
  const { repo, dir } = await newRepository(t)
  const src = await markedTree(dir)
  const pool = new SealPool(1)
  t.after(async () => { await pool.close() })
  for (const [label, sealPool] of [['inline', undefined], ['worker', pool]] as const) {
    const result = await backup(repo, { paths: [src], ...RULES, redundancyCheck: async () => undefined, ...(sealPool === undefined ? {} : { sealPool }) })
    // keep.txt, thumbs/CACHEDIR.TAG, fake/CACHEDIR.TAG, fake/data.txt, private/.nobackup
    assert.equal(result.stats.files, 5, label)
    const target = join(dir, `out-${label}`)
    await restore(repo, { snapshot: result.snapshot, target })
    const out = join(target, src)
    assert.deepEqual((await readdir(out)).sort(), ['fake', 'keep.txt', 'private', 'thumbs'], `${label}: big.bin is over the limit`)
    assert.deepEqual(await readdir(join(out, 'thumbs')), ['CACHEDIR.TAG'], `${label}: the cache keeps its tag only`)
    assert.deepEqual((await readdir(join(out, 'fake'))).sort(), ['CACHEDIR.TAG', 'data.txt'], `${label}: a tag without the signature marks nothing`)
    assert.deepEqual(await readdir(join(out, 'private')), ['.nobackup'], `${label}: a marker without a header`)
  }
  // Without the rules everything is there: the test can tell the two apart.
  const all = await backup(repo, { paths: [src], redundancyCheck: async () => undefined, sealPool: pool })
  assert.equal(all.stats.files, 10)
  const target = join(dir, 'out-all')
  await restore(repo, { snapshot: all.snapshot, target })
  assert.equal((await stat(join(target, src, 'thumbs', 'deep', 't2.png'))).size, 3)
  assert.equal((await stat(join(target, src, 'big.bin'))).size, 5000)
})

test('the worker\'s listings and the progress scan leave out the same things as the walk', async (t) => {
  const { dir } = await newRepository(t)
  const src = await markedTree(dir)
  const exclusion = compileExclusion({ patterns: [], markers: RULES.excludeMarkers, largerThan: RULES.excludeLargerThan })
  const listed = listTreeSync(Buffer.from(src), 64, exclusion).map((l) => [Buffer.from(l.path).toString(), l.listing.entries.map((e) => Buffer.from(e.name).toString()).sort()])
  assert.deepEqual(listed.sort(), [
    [src, ['big.bin', 'fake', 'keep.txt', 'private', 'thumbs']],
    [join(src, 'fake'), ['CACHEDIR.TAG', 'data.txt']],
    [join(src, 'private'), ['.nobackup']],
    [join(src, 'thumbs'), ['CACHEDIR.TAG']]
  ], 'marked folders are listed with their marker alone, and nothing below them')
  const expected = { files: 5, bytes: 4 + (CACHEDIR_TAG.header as string).length + 39 + 16 + 4 + 0, complete: true }
  for (const blocking of [false, true]) {
    assert.deepEqual(await finished(startScan([src], { blocking, exclusion })), expected, `blocking ${String(blocking)}`)
  }
})

test('a marker is a file name, optionally NAME:HEADER', () => {
  assert.deepEqual(parseFolderMarker('.nobackup'), { name: '.nobackup' })
  assert.deepEqual(parseFolderMarker('TAG:Sig: x'), { name: 'TAG', header: 'Sig: x' })
  for (const bad of ['', ':header', 'a/b', '..']) assert.throws(() => parseFolderMarker(bad), InvalidInputError, bad)
})
