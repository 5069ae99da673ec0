import { test } from 'node:test'
import assert from 'node:assert/strict'
import { execFileSync, spawnSync } from 'node:child_process'
import { lstat, mkdtemp, readFile, readlink, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { TAR_BLOCK, TAR_END, tarHeader, tarPadding } from '../src/tar-format.js'
import type { TarEntry } from '../src/tar-format.js'

async function scratch (t: { after: (fn: () => Promise<void>) => void }): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'resilien-tar-'))
  t.after(async () => await rm(dir, { recursive: true, force: true }))
  return dir
}

/** An archive of entries, each file with `content` (or, without it, only its header: a listing reads no further). */
function archive (entries: ReadonlyArray<TarEntry & { content?: Buffer }>): Buffer {
  const parts: Buffer[] = []
  for (const e of entries) {
    parts.push(tarHeader(e))
    if (e.content !== undefined) parts.push(e.content, tarPadding(e.content.byteLength))
  }
  return Buffer.concat([...parts, TAR_END])
}

const base = { mode: 0o644, uid: 0, gid: 0, size: 0, mtimeNs: 1_700_000_000_123_456_789n }
const LONG_DIR = Buffer.from(`${'d'.repeat(120)}/${'e'.repeat(120)}`)

test('GNU tar reads back what ustar and pax headers say: long and non-UTF-8 paths, links, modes, ids, nanosecond and pre-1970 times', async (t) => {
  const dir = await scratch(t)
  const nonUtf8 = Buffer.from([0x63, 0x61, 0x66, 0xe9])
  const files: Array<TarEntry & { content: Buffer }> = [
    { ...base, path: Buffer.from('short.txt'), type: 'file', size: 5, content: Buffer.from('hello') },
    // 150 bytes: ustar's prefix field takes the folders, no pax record needed.
    { ...base, path: Buffer.from(`${'p'.repeat(99)}/${'q'.repeat(50)}`), type: 'file', size: 3, content: Buffer.from('pq\n'), mode: 0o6755 },
    // No slash leaves a name of at most 100 bytes: a pax path, and its bytes as they are.
    { ...base, path: Buffer.concat([LONG_DIR, Buffer.from('/'), nonUtf8]), type: 'file', size: 513, content: Buffer.alloc(513, 7) },
    { ...base, path: Buffer.from('old.txt'), type: 'file', size: 1, content: Buffer.from('o'), mtimeNs: -1_500_000_000n },
    { ...base, path: Buffer.from('big-ids.txt'), type: 'file', size: 1, content: Buffer.from('i'), uid: 3_000_000, gid: 4_000_000 }
  ]
  const tar = archive([
    { ...base, path: LONG_DIR.subarray(0, 120), type: 'dir', mode: 0o1777 },
    { ...base, path: LONG_DIR, type: 'dir', mode: 0o750 },
    ...files,
    { ...base, mode: 0o777, path: Buffer.from('link-long'), type: 'symlink', linkTarget: Buffer.from('t'.repeat(150)) },
    { ...base, mode: 0o777, path: Buffer.from('link-short'), type: 'symlink', linkTarget: Buffer.from('short.txt') },
    { ...base, path: Buffer.from('fifo'), type: 'fifo' }
  ])
  assert.equal(tar.byteLength % TAR_BLOCK, 0)
  const file = join(dir, 'a.tar')
  await writeFile(file, tar)

  const list = spawnSync('tar', ['--numeric-owner', '--full-time', '-tvf', file], { encoding: 'utf8' })
  assert.deepEqual([list.status, list.stderr], [0, ''], 'no warning either')
  const listing = list.stdout
  assert.match(listing, /^-rw-r--r-- 3000000\/4000000 +1 .* big-ids\.txt$/m)
  assert.match(listing, /^-rwsr-sr-x 0\/0 +3 2023-11-14 \d\d:13:20\.123456789 p{99}\/q{50}$/m)
  assert.match(listing, /^drwxrwxrwt 0\/0 +0 .* d{120}\/$/m)
  assert.match(listing, /^lrwxrwxrwx .* link-long -> t{150}$/m)
  assert.match(listing, /^prw-r--r-- .* fifo$/m)

  const out = join(dir, 'out')
  execFileSync('mkdir', [out])
  assert.equal(execFileSync('tar', ['-xf', file, '-C', out], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }), '')
  for (const f of files) {
    const path = Buffer.concat([Buffer.from(out + '/'), f.path])
    assert.ok((await readFile(path)).equals(f.content), `${f.path.toString()} comes back byte for byte`)
    const st = await lstat(path, { bigint: true })
    assert.equal(Number(st.mode & 0o7777n), f.mode)
    // GNU tar sets the pax time to the microsecond at least (utimensat takes nanoseconds).
    assert.equal(st.mtimeNs / 1000n, f.mtimeNs / 1000n, `${f.path.toString()}: mtime`)
  }
  assert.equal(Number((await lstat(join(out, LONG_DIR.toString()))).mode & 0o7777), 0o750)
  assert.equal(await readlink(join(out, 'link-long')), 't'.repeat(150))
  assert.ok((await lstat(join(out, 'fifo'))).isFIFO())
})

test('sizes past ustar\'s 8 GiB go in a pax record; device numbers in ustar\'s fields', async (t) => {
  const dir = await scratch(t)
  const file = join(dir, 'b.tar')
  const rdev = (259 << 8) | 3 // major 259, minor 3 in Linux's encoding
  await writeFile(file, archive([
    { ...base, path: Buffer.from('disk'), type: 'blockdev', rdev: (8 << 8) | 1 },
    { ...base, path: Buffer.from('tty'), type: 'chardev', rdev },
    // Minor 300 has bits above the low byte, which Linux keeps from bit 20 up.
    { ...base, path: Buffer.from('nvme'), type: 'blockdev', rdev: 0x2c | (8 << 8) | (0x100 << 12) },
    { ...base, path: Buffer.from('huge.img'), type: 'file', size: 9 * 1024 ** 3 }
  ]))
  // The huge file's content is not there: tar lists its header, then finds the archive short.
  const r = spawnSync('tar', ['--numeric-owner', '-tvf', file], { encoding: 'utf8' })
  assert.match(r.stdout, /^brw-r--r-- 0\/0 +8,1 .* disk$/m)
  assert.match(r.stdout, /^crw-r--r-- 0\/0 +259,3 .* tty$/m)
  assert.match(r.stdout, /^brw-r--r-- 0\/0 +8,300 .* nvme$/m)
  assert.match(r.stdout, new RegExp(`^-rw-r--r-- 0/0 +${9 * 1024 ** 3} .* huge\\.img$`, 'm'))
  assert.notEqual(r.status, 0, 'the archive ends inside the huge file')
})

test('a pax header only where ustar runs out: whole seconds and names that a slash splits fit in one block', () => {
  const header = tarHeader({ ...base, path: Buffer.from('x'), type: 'file', size: 1, mtimeNs: 1_000_000_000n })
  assert.equal(header.byteLength, TAR_BLOCK, 'whole seconds and a short name: no pax header')
  // Up to 255 bytes split at a slash into ustar's prefix and name: still one block.
  const split = tarHeader({ ...base, path: Buffer.from(`${'p'.repeat(150)}/${'q'.repeat(100)}`), type: 'file', mtimeNs: 0n })
  assert.equal(split.byteLength, TAR_BLOCK)
  assert.equal(split.subarray(345, 345 + 150).toString(), 'p'.repeat(150))
  const unsplittable = tarHeader({ ...base, path: Buffer.from(`${'p'.repeat(50)}/${'q'.repeat(101)}`), type: 'file', mtimeNs: 0n })
  assert.equal(unsplittable.byteLength, 3 * TAR_BLOCK, 'a pax header and its records first')
  assert.equal(tarPadding(1).byteLength, TAR_BLOCK - 1)
  assert.equal(tarPadding(TAR_BLOCK).byteLength, 0)
})
