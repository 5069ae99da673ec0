import '@resilien/polyfill'
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdir, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { randomBytes } from 'node:crypto'
import { compareTrees, newCluster, newSite, statusOf, tempDir, waitAllUp, waitFor } from '../src/index.js'
import { Site } from '../src/index.js'
import { joinSiteAt, mountSmallDisk } from '../faults/disk/small-disk.js'

/** The small site keeps only this much free beyond its shards (the default, 256 MiB, is more than its disk). */
const SMALL_RESERVE = { RESILIEN_STORE_RESERVE: '1MiB' }

async function randomTree (work: string, name: string, mib: number): Promise<string> {
  const src = join(work, name)
  await mkdir(src)
  for (let i = 0; i < mib; i++) await writeFile(join(src, `f${i}.bin`), randomBytes(1024 * 1024))
  return src
}

async function snapshotCount (site: Site): Promise<number> {
  return (JSON.parse((await site.run(['snapshots', 'main', '--json'])).stdout) as unknown[]).length
}

test('a storage site whose disk fills up during a backup: the other sites take its share', async (t) => {
  const sites = await newCluster(t, 3)
  const [one, two] = sites as [Site, Site]
  const small = await joinSiteAt(t, one, 'site4', await mountSmallDisk(t, 16), SMALL_RESERVE)
  for (const site of [...sites, small]) await waitAllUp(site, 4)
  const work = await tempDir(t)
  assert.equal((await one.run(['repo', 'create', 'main', '--k', '2', '--m', '1'])).code, 0)
  // About 72 MB of shards over four sites: more than the 16 MiB disk of site4 holds.
  const src = await randomTree(work, 'src', 48)
  const backup = await one.run(['backup', 'main', src])
  assert.equal(backup.code, 0, backup.stderr)
  const status = await waitFor('site4 to report what it holds', async () => statusOf(one), (s) => s.sites.every((x) => x.storedBytes !== undefined))
  const site4 = status.sites.find((s) => s.name === 'site4')
  assert.ok(site4 !== undefined && site4.storedBytes > 0 && site4.storedBytes < 16 * 1024 * 1024, `site4 holds what fits: ${JSON.stringify(site4)}`)
  const check = await two.run(['check', 'main', '--read-data'])
  assert.equal(check.code, 0, check.stdout + check.stderr)
  const target = join(work, 'restore')
  assert.equal((await two.run(['restore', 'main', 'latest', '--target', target])).code, 0)
  assert.deepEqual(await compareTrees(src, join(target, src)), [])
})

test('when a full disk leaves too few sites for a stripe, the backup fails with one line and commits nothing', async (t) => {
  const sites = await newCluster(t, 2)
  const [one] = sites as [Site, Site]
  const small = await joinSiteAt(t, one, 'site3', await mountSmallDisk(t, 16), SMALL_RESERVE)
  for (const site of [...sites, small]) await waitAllUp(site, 3)
  const work = await tempDir(t)
  assert.equal((await one.run(['repo', 'create', 'main'])).code, 0)
  const first = await randomTree(work, 'first', 2)
  assert.equal((await one.run(['backup', 'main', first])).code, 0)
  const big = await randomTree(work, 'big', 48)
  const failed = await one.run(['backup', 'main', big])
  assert.equal(failed.code, 1)
  assert.equal(failed.stderr.trim().split('\n').length, 1, failed.stderr)
  assert.match(failed.stderr, /space|room|full/i)
  assert.equal(await snapshotCount(one), 1, 'nothing was committed')
  const check = await one.run(['check', 'main', '--read-data'])
  assert.equal(check.code, 0, check.stdout + check.stderr)
  const target = join(work, 'restore')
  assert.equal((await one.run(['restore', 'main', 'latest', '--target', target])).code, 0)
  assert.deepEqual(await compareTrees(first, join(target, first)), [])
})

test('a restore onto a disk that fills up stops with one line, and a run with room finishes it', async (t) => {
  const site = await newSite(t)
  const work = await tempDir(t)
  assert.equal((await site.run(['repo', 'create', 'main'])).code, 0)
  // 12 MiB of files in 24 of 512 KiB: more than the 4 MiB disk holds, and many files after the
  // first that fails (each would have been a warning line).
  const src = join(work, 'src')
  await mkdir(src)
  for (let i = 0; i < 24; i++) await writeFile(join(src, `f${i}.bin`), randomBytes(512 * 1024))
  assert.equal((await site.run(['backup', 'main', src])).code, 0)
  const small = await mountSmallDisk(t, 4)
  const full = await site.run(['restore', 'main', 'latest', '--target', join(small, 'out')])
  assert.equal(full.code, 1)
  assert.equal(full.stderr.trim().split('\n').length, 1, full.stderr)
  assert.match(full.stderr, /^resilien: no space left on the device of \S+\/f\d+\.bin: the restore stopped part way; free some space and run it again$/m)
  const roomy = join(work, 'out')
  const again = await site.run(['restore', 'main', 'latest', '--target', roomy])
  assert.equal(again.code, 0, again.stderr)
  assert.deepEqual(await compareTrees(src, join(roomy, src)), [])
})

test('packs a backup stored before its disk filled up are removed by the next prune', async (t) => {
  const disk = await mountSmallDisk(t, 24)
  const site = new Site(join(disk, 'data'), 'site1', { ...SMALL_RESERVE, RESILIEN_GC_GRACE: '1s', RESILIEN_GC_INTERVAL: '1s' })
  const init = await site.run(['init', '--name', 'site1', '--listen', '/ip4/127.0.0.1/tcp/0'])
  assert.equal(init.code, 0, init.stderr)
  t.after(async () => { await site.stop('SIGKILL') })
  await site.start()
  const work = await tempDir(t)
  assert.equal((await site.run(['repo', 'create', 'main'])).code, 0)
  // 30 MiB with 2+1 parity on a 24 MiB disk: some packs are stored, then the disk is full.
  const src = await randomTree(work, 'src', 30)
  const failed = await site.run(['backup', 'main', src])
  assert.equal(failed.code, 1)
  assert.match(failed.stderr, /not enough free space/)
  assert.equal(await snapshotCount(site), 0)
  const stored = (await statusOf(site)).sites[0]?.storedBytes ?? 0
  assert.ok(stored > 4 * 1024 * 1024, `the failed backup left packs behind (${stored} bytes)`)
  // They are in no index object (the backup never got that far): prune publishes, then removes them.
  const prune = await site.run(['prune', 'main', '--json'])
  assert.equal(prune.code, 0, prune.stderr)
  const result = JSON.parse(prune.stdout) as { packsDeleted: number }
  assert.ok(result.packsDeleted > 0, prune.stdout)
  await waitFor('the shards to be deleted', async () => statusOf(site), (s) => (s.sites[0]?.storedBytes ?? Infinity) < 1024 * 1024)
  const check = await site.run(['check', 'main', '--read-data'])
  assert.equal(check.code, 0, check.stdout + check.stderr)
})
