import '@resilien/polyfill'
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdir, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { randomBytes } from 'node:crypto'
import { compareTrees, statusOf, tempDir, waitFor } from '../src/index.js'
import type { Site } from '../src/index.js'
import { newProxiedCluster, partition } from '../faults/network/proxied-cluster.js'

async function sourceTree (work: string, name: string, randomMiB: number): Promise<string> {
  const src = join(work, name)
  await mkdir(join(src, 'sub'), { recursive: true })
  for (let i = 0; i < randomMiB; i++) await writeFile(join(src, 'sub', `r${i}.bin`), randomBytes(1024 * 1024))
  await writeFile(join(src, 'notes.txt'), `${name}\n`.repeat(50_000))
  return src
}

async function restoreAndCompare (site: Site, repo: string, src: string, work: string): Promise<void> {
  const target = join(work, `restore-${Math.random().toString(36).slice(2, 8)}`)
  const r = await site.run(['restore', repo, 'latest', '--target', target])
  assert.equal(r.code, 0, `restore on ${site.name}: ${r.stderr}`)
  assert.deepEqual(await compareTrees(src, join(target, src)), [])
}

async function snapshotCount (site: Site, repo: string): Promise<number> {
  const r = await site.run(['snapshots', repo, '--json'])
  return r.code === 0 ? (JSON.parse(r.stdout) as unknown[]).length : -1
}

test('transfers cut mid-way and delayed resume: the backup completes, checks clean and restores', async (t) => {
  const sites = await newProxiedCluster(t, 3)
  const [one, two] = sites.map((s) => s.site) as [Site, Site]
  const work = await tempDir(t)
  const src = await sourceTree(work, 'src', 8)
  assert.equal((await one.run(['repo', 'create', 'main'])).code, 0)
  // Each proxy cuts its next two connections after 300 KB (shards are about 1 MiB here) and
  // delays everything by 5 ms.
  for (const s of sites) s.proxy.set({ delayMs: 5, cut: { afterBytes: 300_000, count: 2 } })
  const backup = await one.run(['backup', 'main', src])
  assert.equal(backup.code, 0, backup.stderr)
  const cuts = sites.reduce((n, s) => n + s.proxy.stats.cut, 0)
  assert.ok(cuts >= 2, `connections were cut during the backup (${cuts}): ${JSON.stringify(sites.map((s) => s.proxy.stats))}`)
  // Reads are not retried (a restore turns to the other shards instead): the line is mended first.
  for (const s of sites) s.proxy.set({ delayMs: 0, cut: { afterBytes: 0, count: 0 } })
  await waitFor('every site up again', async () => statusOf(two), (s) => s.sites.every((x) => x.up), 30_000)
  const check = await two.run(['check', 'main', '--read-data'])
  assert.equal(check.code, 0, check.stdout + check.stderr)
  await restoreAndCompare(two, 'main', src, work)
})

test('a cluster partitioned in two goes on on each side; after healing the catalogs converge and nothing is corrupt', async (t) => {
  const sites = await newProxiedCluster(t, 4, { RESILIEN_REPAIR_INTERVAL: '1s' })
  const [one, , three, four] = sites.map((s) => s.site) as [Site, Site, Site, Site]
  const work = await tempDir(t)
  const split = partition([sites.slice(0, 2), sites.slice(2)])
  await waitFor('each side to see the other down', async () => statusOf(one), (s) => s.sites.filter((x) => x.up).length === 2, 30_000)
  // Each side makes a repository (3+1: four sites) and backs up into it: too few sites up, so degraded.
  const left = await sourceTree(work, 'left', 2)
  const right = await sourceTree(work, 'right', 2)
  for (const [site, repo, src] of [[one, 'left', left], [three, 'right', right]] as const) {
    assert.equal((await site.run(['repo', 'create', repo])).code, 0)
    const refused = await site.run(['backup', repo, src])
    assert.notEqual(refused.code, 0, 'without --allow-degraded a backup that would not survive a site loss is refused')
    const degraded = await site.run(['backup', repo, src, '--allow-degraded'])
    assert.equal(degraded.code, 0, degraded.stderr)
  }
  assert.equal(await snapshotCount(one, 'right'), -1, 'the left side does not know the right side\'s repository yet')
  split.heal()
  await waitFor('the catalogs to converge', async () => [await snapshotCount(one, 'right'), await snapshotCount(four, 'left')], ([a, b]) => a === 1 && b === 1, 60_000)
  for (const repo of ['left', 'right']) {
    const check = await four.run(['check', repo, '--read-data'])
    assert.equal(check.code, 0, check.stdout + check.stderr)
  }
  await restoreAndCompare(four, 'left', left, work)
  await restoreAndCompare(one, 'right', right, work)
  const status = await waitFor('every site up again', async () => statusOf(three), (s) => s.sites.every((x) => x.up), 30_000)
  assert.equal(status.sites.length, 4)
})
