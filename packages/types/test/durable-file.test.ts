import { test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtemp, readFile, readdir, rm, stat, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { replaceFileDurably } from '../src/index.js'

test('a file is replaced whole, private, and no temporary file stays behind', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'resilien-durable-'))
  t.after(async () => { await rm(dir, { recursive: true, force: true }) })
  const path = join(dir, 'state.json')
  await replaceFileDurably(path, '{"v":1}\n')
  assert.equal(await readFile(path, 'utf8'), '{"v":1}\n')
  assert.equal((await stat(path)).mode & 0o777, 0o600)
  // A temporary file an earlier crash left, readable by all: overwritten, and made private.
  await writeFile(`${path}.tmp`, 'half a write', { mode: 0o644 })
  await replaceFileDurably(path, Buffer.from('{"v":2}\n'))
  assert.equal(await readFile(path, 'utf8'), '{"v":2}\n')
  assert.equal((await stat(path)).mode & 0o777, 0o600)
  assert.deepEqual(await readdir(dir), ['state.json'])
})

test('replacements of one file at once land one after another, the last call last', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'resilien-durable-'))
  t.after(async () => { await rm(dir, { recursive: true, force: true }) })
  const path = join(dir, 'invites.json')
  const long = JSON.stringify(Array.from({ length: 2000 }, (_, i) => ({ digest: String(i).repeat(8), expires: i }))) + '\n'
  const short = '[]\n'
  // Two writers at once (an invite made while another is redeemed): the second must not write over the first's temporary file.
  await Promise.all([replaceFileDurably(path, long), replaceFileDurably(`${dir}/./invites.json`, short)])
  assert.equal(await readFile(path, 'utf8'), short)
  await Promise.all([replaceFileDurably(path, short), replaceFileDurably(path, long)])
  assert.equal(await readFile(path, 'utf8'), long)
  assert.deepEqual(await readdir(dir), ['invites.json'])
})

test('a folder that does not exist is an error, and nothing is written', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'resilien-durable-'))
  t.after(async () => { await rm(dir, { recursive: true, force: true }) })
  await assert.rejects(replaceFileDurably(join(dir, 'nope', 'state.json'), 'x'), { code: 'ENOENT' })
  assert.deepEqual(await readdir(dir), [])
})
