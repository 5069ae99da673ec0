import { test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdir, symlink, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { compileExclusion } from '../src/exclude-rules.js'
import { entryType, listDir, listDirSync, listTreeSync, MAX_ENTRIES_PER_LISTING } from '../src/dir-listing.js'
import type { PathListing } from '../src/dir-listing.js'
import { ListingPrefetch } from '../src/listing-prefetch.js'
import { tempDir } from './helpers.js'

const NONE = compileExclusion({ patterns: [] })

/** a/{x.txt, b/{c/, d/}, e/}, a link to b, and a folder f/ beside them. */
async function tree (root: string): Promise<string> {
  const a = join(root, 'a')
  await mkdir(join(a, 'b', 'c'), { recursive: true })
  await mkdir(join(a, 'b', 'd'))
  await mkdir(join(a, 'e'))
  await writeFile(join(a, 'x.txt'), 'x')
  await symlink(join(a, 'b'), join(a, 'link'))
  return a
}

const names = (l: PathListing): string[] => l.listing.entries.map((e) => Buffer.from(e.name).toString())
const pathOf = (l: PathListing): string => Buffer.from(l.path).toString()

test('a folder is listed in name byte order with each entry\'s lstat, the same with blocking and with event-loop calls', async (t) => {
  const a = await tree(await tempDir(t))
  const sync = listDirSync(Buffer.from(a))
  const async = await listDir(Buffer.from(a), 4)
  assert.deepEqual(sync.entries.map((e) => Buffer.from(e.name).toString()), ['b', 'e', 'link', 'x.txt'])
  assert.deepEqual(sync.entries.map((e) => entryType(e.stat as NonNullable<typeof e.stat>)), ['dir', 'dir', 'symlink', 'file'])
  assert.equal(sync.entries[3]?.stat?.size, 1)
  assert.deepEqual(async, sync)
})

test('a folder that cannot be read is one error and no entries', async (t) => {
  const missing = join(await tempDir(t), 'gone')
  const sync = listDirSync(Buffer.from(missing))
  assert.equal(sync.entries.length, 0)
  assert.match(sync.error ?? '', /ENOENT/)
  assert.deepEqual(await listDir(Buffer.from(missing), 4), sync)
})

test('a subtree is listed depth first, not below a link, and no further than maxDirs folders', async (t) => {
  const a = await tree(await tempDir(t))
  const all = listTreeSync(Buffer.from(a), 64, NONE)
  assert.deepEqual(all.map(pathOf), [a, join(a, 'b'), join(a, 'b', 'c'), join(a, 'b', 'd'), join(a, 'e')])
  assert.deepEqual(names(all[1] as PathListing), ['c', 'd'])
  assert.deepEqual(listTreeSync(Buffer.from(a), 2, NONE).map(pathOf), [a, join(a, 'b')])
})

test('a subtree listing leaves out the folders the backup excludes', async (t) => {
  const a = await tree(await tempDir(t))
  const listed = listTreeSync(Buffer.from(a), 64, compileExclusion({ patterns: [join(a, 'b')] }))
  assert.deepEqual(listed.map(pathOf), [a, join(a, 'e')])
  assert.deepEqual(names(listed[0] as PathListing), ['b', 'e', 'link', 'x.txt'], 'the excluded folder is still an entry of its parent')
})

test('prefetched listings are handed out once each, and a folder is fetched only when no earlier answer brought it', async (t) => {
  const a = await tree(await tempDir(t))
  const asked: string[] = []
  const prefetch = new ListingPrefetch(async (path) => {
    asked.push(Buffer.from(path).toString())
    return listTreeSync(path, 3, NONE)
  })
  const walk = async (dir: string): Promise<string[]> => {
    const listing = await prefetch.list(Buffer.from(dir))
    const seen = [dir]
    for (const e of listing.entries) {
      if (e.stat !== undefined && entryType(e.stat) === 'dir') seen.push(...await walk(join(dir, Buffer.from(e.name).toString())))
    }
    return seen
  }
  assert.deepEqual(await walk(a), [a, join(a, 'b'), join(a, 'b', 'c'), join(a, 'b', 'd'), join(a, 'e')])
  assert.deepEqual(asked, [a, join(a, 'b', 'd'), join(a, 'e')], 'a, b and c came in the first answer')
  assert.equal(prefetch.held, 0, 'every listing was taken by the walk')
})

test('a subtree listing stops taking folders once it holds MAX_ENTRIES_PER_LISTING entries', async (t) => {
  const root = join(await tempDir(t), 'r')
  await mkdir(join(root, 'big'), { recursive: true })
  await mkdir(join(root, 'next'))
  await Promise.all(Array.from({ length: MAX_ENTRIES_PER_LISTING }, async (_, i) => writeFile(join(root, 'big', `f${i}`), '')))
  const listed = listTreeSync(Buffer.from(root), 64, NONE)
  assert.deepEqual(listed.map(pathOf), [root, join(root, 'big')], 'the large folder is whole, the folder after it waits for its own answer')
  assert.equal(listed[1]?.listing.entries.length, MAX_ENTRIES_PER_LISTING)
})
