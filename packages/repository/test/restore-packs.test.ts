import { test } from 'node:test'
import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { mkdir, readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { backup } from '../src/backup.js'
import { restore } from '../src/restore.js'
import { newRepository } from './helpers.js'

test('a restore reads at most maxPacksInFlight packs at once (k shard reads each), and by default more', async (t) => {
  /** The most whole-shard reads under way at once while restoring eight 4 MiB files (one pack each, k = 2). */
  const measure = async (maxPacksInFlight?: number): Promise<number> => {
    let now = 0
    let most = 0
    let slow = false
    const { repo, dir } = await newRepository(t, {
      wrapSites: (sites) => ({
        ...sites,
        get: async (site, id, range, o) => {
          if (!slow || range !== undefined) return sites.get(site, id, range, o)
          most = Math.max(most, ++now)
          try {
            await sleep(50)
            return await sites.get(site, id, range, o)
          } finally {
            now--
          }
        }
      })
    })
    const src = join(dir, 'src')
    await mkdir(src)
    const files = Array.from({ length: 8 }, () => randomBytes(4 * 1024 * 1024))
    for (const [i, bytes] of files.entries()) await writeFile(join(src, `f${i}.bin`), bytes)
    await backup(repo, { paths: [src], redundancyCheck: async () => undefined })
    slow = true
    const out = join(dir, 'out')
    await restore(repo, { snapshot: 'latest', target: out, ...(maxPacksInFlight === undefined ? {} : { maxPacksInFlight }) })
    for (const [i, bytes] of files.entries()) assert.ok((await readFile(join(out, src, `f${i}.bin`))).equals(bytes), `f${i}.bin restored`)
    return most
  }
  // Tree packs are read before the window's data packs (one folder): the most at once is the packs' reads.
  assert.ok(await measure(2) <= 2 * 2, 'two packs, two data shards each')
  assert.ok(await measure() > 2 * 2, 'by default more packs are read at once')
})

test('packs in flight below one, or not a whole number, is refused before anything is read', async (t) => {
  const { repo, dir } = await newRepository(t)
  for (const bad of [0, -1, 1.5, Number.NaN]) {
    await assert.rejects(restore(repo, { snapshot: 'latest', target: join(dir, 'out'), maxPacksInFlight: bad }), /packs in flight must be a whole number of at least 1/)
  }
})
