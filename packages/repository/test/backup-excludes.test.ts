import { test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdir, readdir, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { InvalidInputError } from '@resilien/types'
import { backup, restore } from '../src/index.js'
import { newRepository } from './helpers.js'

const noCheck = { redundancyCheck: async () => undefined }

test('a backup whose every path matches an exclude is refused and commits nothing; a partly excluded one warns', async (t) => {
  const { repo, dir } = await newRepository(t)
  const kept = join(dir, 'kept')
  const cache = join(dir, 'cache-files')
  await mkdir(kept)
  await mkdir(cache)
  await writeFile(join(kept, 'a.txt'), 'a')
  await writeFile(join(cache, 'b.txt'), 'b')

  await assert.rejects(backup(repo, { paths: [cache], exclude: [cache], ...noCheck }), (err: unknown) => {
    assert.ok(err instanceof InvalidInputError)
    assert.match(err.message, /nothing to back up: the excludes match every path given/)
    return true
  })
  assert.equal((await repo.listSnapshots()).length, 0, 'no empty snapshot was committed')

  const partly = await backup(repo, { paths: [kept, cache], exclude: [cache], ...noCheck })
  assert.deepEqual(partly.warnings, [`${cache} matches an exclude: it is not in the snapshot`])
  await restore(repo, { snapshot: partly.snapshot, target: join(dir, 'out') })
  assert.deepEqual(await readdir(join(dir, 'out', dir)), ['kept'])
})
