import { test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdir, readFile, readdir, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { Readable } from 'node:stream'
import { InvalidInputError } from '@resilien/types'
import { backup, restore, SealPool } from '../src/index.js'
import type { StdinSource } from '../src/index.js'
import { newRepository } from './helpers.js'

function streamOf (filename: string, text: string): StdinSource {
  return { filename, data: Readable.from([Buffer.from(text)]), done: Promise.resolve() }
}

for (const workers of [0, 1]) {
  test(`one snapshot holds streams beside paths, and excluded paths are neither read nor restored (${workers} seal workers)`, async (t) => {
    const { repo, dir } = await newRepository(t)
    const pool = workers === 0 ? undefined : new SealPool(workers)
    t.after(async () => { await pool?.close() })
    const src = join(dir, 'src')
    await mkdir(join(src, 'keep', 'cache'), { recursive: true })
    await mkdir(join(src, 'skip-me'), { recursive: true })
    await writeFile(join(src, 'keep', 'a.txt'), 'a')
    await writeFile(join(src, 'keep', 'b.tmp'), 'b')
    await writeFile(join(src, 'keep', 'cache', 'c.txt'), 'c')
    await writeFile(join(src, 'skip-me', 'd.txt'), 'd')
    const result = await backup(repo, {
      paths: [src],
      streams: [streamOf('database.sql', 'CREATE TABLE notes ();\n'), streamOf('second.txt', 'two\n')],
      exclude: ['*.tmp', `${src}/skip-me`, `${src}/keep/cache/`],
      redundancyCheck: async () => undefined,
      ...(pool === undefined ? {} : { sealPool: pool })
    })
    assert.equal(result.stats.files, 3, 'a.txt and the two streams')
    const target = join(dir, 'out')
    await restore(repo, { snapshot: 'latest', target })
    assert.equal(await readFile(join(target, 'database.sql'), 'utf8'), 'CREATE TABLE notes ();\n')
    assert.equal(await readFile(join(target, 'second.txt'), 'utf8'), 'two\n')
    assert.deepEqual((await readdir(join(target, src))).sort(), ['keep'])
    assert.deepEqual((await readdir(join(target, src, 'keep'))).sort(), ['a.txt'])
    const snapshots = await repo.listSnapshots()
    assert.deepEqual([...(snapshots.at(-1)?.record.paths ?? [])].sort(), ['/database.sql', '/second.txt', src].sort())
  })
}

test('a failing stream commits nothing, and stream names are checked before anything is read', async (t) => {
  const { repo, dir } = await newRepository(t)
  const failing: StdinSource = { filename: 'dump.sql', data: Readable.from([Buffer.from('partial')]), done: Promise.reject(new Error('pg_dump failed')) }
  failing.done.catch(() => {})
  await assert.rejects(backup(repo, { paths: [], streams: [failing], redundancyCheck: async () => undefined }), /pg_dump failed/)
  assert.equal((await repo.listSnapshots()).length, 0)
  const bad = async (streams: StdinSource[], paths: string[] = []): Promise<unknown> => await backup(repo, { paths, streams, redundancyCheck: async () => undefined })
  await assert.rejects(bad([streamOf('a/b', 'x')]), InvalidInputError)
  await assert.rejects(bad([streamOf('', 'x')]), InvalidInputError)
  await assert.rejects(bad([streamOf('same', 'x'), streamOf('same', 'y')]), /two streams are both named same/)
  await mkdir(join(dir, 'x'))
  const head = dir.split('/').filter((c) => c !== '')[0] as string
  await assert.rejects(bad([streamOf(head, 'x')], [join(dir, 'x')]), /would be the same entry/)
  assert.equal((await repo.listSnapshots()).length, 0)
})
