import '@resilien/polyfill'
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdir, readdir, readFile, stat, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { randomBytes } from 'node:crypto'
import { spawnSync } from 'node:child_process'
import { buildFixtureTree, compareTrees, joinSite, newCluster, PLAINTEXT_MARKER, RESILIEN_BIN, resilienEnv, statusOf, tempDir, TEST_ENV, waitAllUp, waitFor } from '../src/index.js'
import type { Site, TestContext } from '../src/index.js'

async function createRepo (site: Site, name = 'main'): Promise<void> {
  const r = await site.run(['repo', 'create', name])
  assert.equal(r.code, 0, r.stderr)
}

async function backup (site: Site, paths: string[], extra: string[] = [], repo = 'main'): Promise<string> {
  const r = await site.run(['backup', repo, ...paths, '--json', ...extra])
  assert.equal(r.code, 0, `backup on ${site.name}: ${r.stderr}`)
  return (JSON.parse(r.stdout) as { id: string }).id
}

async function restoreAndCompare (site: Site, source: string, work: string, snapshot = 'latest', repo = 'main'): Promise<void> {
  const target = join(work, `restore-${site.name}-${Math.random().toString(36).slice(2, 8)}`)
  const r = await site.run(['restore', repo, snapshot, '--target', target])
  assert.equal(r.code, 0, `restore on ${site.name}: ${r.stderr}`)
  assert.deepEqual(await compareTrees(source, join(target, source)), [])
}

/** Every regular file under `dir`, recursively. */
async function filesUnder (dir: string): Promise<string[]> {
  const out: string[] = []
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name)
    if (entry.isDirectory()) out.push(...await filesUnder(path))
    else if (entry.isFile()) out.push(path)
  }
  return out
}

async function sourceTree (work: string): Promise<string> {
  const src = join(work, 'src')
  await buildFixtureTree(src)
  await mkdir(join(src, 'dump'), { recursive: true })
  await writeFile(join(src, 'dump', 'big.bin'), randomBytes(6 * 1024 * 1024))
  return src
}

for (const count of [3, 4]) {
  test(`${count} sites: a snapshot survives the loss of each site in turn, the one that made it too`, async (t) => {
    await survivesEachLoss(t, count)
  })
}

async function survivesEachLoss (t: TestContext, count: number): Promise<void> {
  const sites = await newCluster(t, count)
  const a = sites[0] as Site
  const b = sites[1] as Site
  const work = await tempDir(t)
  const src = await sourceTree(work)
  await createRepo(a)
  const id = await backup(a, [src])
  const snapshots = await waitFor('site2 to list the snapshot', async () => JSON.parse((await b.run(['snapshots', 'main', '--json'])).stdout) as Array<{ id: string, degraded: boolean }>, (list) => list.length === 1)
  assert.deepEqual(snapshots.map((s) => [s.id, s.degraded]), [[id, false]], 'not degraded')

  const status = await statusOf(a)
  assert.equal(status.redundancy.lost + status.redundancy.atRisk + status.redundancy.degraded, 0)
  assert.ok(status.redundancy.full > 0)
  assert.ok(status.sites.every((s) => s.storedBytes > 0), 'every site holds shards: ' + JSON.stringify(status.sites))

  for (const victim of sites) {
    await victim.stop('SIGKILL')
    const survivor = sites.find((s) => s !== victim) as Site
    await waitFor(`${survivor.name} to see ${victim.name} down`, async () => statusOf(survivor), (s) => s.sites.some((x) => x.name === victim.name && !x.up))
    await restoreAndCompare(survivor, src, work)
    await victim.start()
    for (const s of sites) await waitAllUp(s, count)
  }
  // Storage sites learn nothing: no file name, no content marker in their data dirs.
  for (const site of sites.slice(1)) {
    for (const file of await filesUnder(site.dataDir)) {
      if ((await stat(file)).size === 0) continue
      const bytes = await readFile(file)
      for (const secret of [PLAINTEXT_MARKER, 'random.bin', 'big.bin', src]) {
        assert.equal(bytes.includes(Buffer.from(secret)), false, `${file} on ${site.name} contains "${secret}"`)
      }
    }
  }
}

test('a site that serves corrupt shards is detected by hash and bypassed', async (t) => {
  const [a, b, c] = await newCluster(t, 3) as [Site, Site, Site]
  const work = await tempDir(t)
  const src = join(work, 'src')
  await mkdir(src)
  await writeFile(join(src, 'data.bin'), randomBytes(8 * 1024 * 1024))
  await createRepo(a)
  await backup(a, [src])
  // Bit rot on site2: one byte flipped in every shard it holds.
  const shards = await filesUnder(join(b.dataDir, 'store', 'shards'))
  assert.ok(shards.length > 0)
  for (const file of shards) {
    const bytes = await readFile(file)
    const at = Math.floor(bytes.length / 2)
    bytes[at] = (bytes[at] as number) ^ 0x01
    await writeFile(file, bytes)
  }
  await restoreAndCompare(c, src, work)
})

test('a fresh machine recovers every snapshot with an invite from a survivor and the passphrase', async (t) => {
  const [a, b] = await newCluster(t, 3) as [Site, Site, Site]
  const work = await tempDir(t)
  const src = await sourceTree(work)
  await createRepo(a)
  await backup(a, [src])
  await a.stop('SIGKILL')
  // Three commands: join with an invite from a survivor, start, restore.
  const fresh = await joinSite(t, b, 'fresh')
  // Which repositories there are, without a passphrase: what to give restore.
  const repos = await fresh.run(['repo', 'list', '--json'], { env: { RESILIEN_PASSWORD: undefined } })
  assert.equal(repos.code, 0, repos.stderr)
  assert.deepEqual((JSON.parse(repos.stdout) as Array<{ name: string, snapshots: number, k: number, m: number, createdBy: string }>)
    .map(({ name, snapshots, k, m, createdBy }) => ({ name, snapshots, k, m, createdBy })), [{ name: 'main', snapshots: 1, k: 2, m: 1, createdBy: 'site1' }])
  await restoreAndCompare(fresh, src, work)
  // One file straight to standard output, from the survivors' shards (the lost site's data shards rebuilt).
  const dumped = join(work, 'big.dumped')
  const dump = spawnSync('bash', ['-c', `"${RESILIEN_BIN}" dump main latest "${join(src, 'dump', 'big.bin')}" --data "${fresh.dataDir}" > "${dumped}"`], { env: resilienEnv(TEST_ENV), encoding: 'utf8' })
  assert.equal(dump.status, 0, dump.stderr)
  assert.ok((await readFile(dumped)).equals(await readFile(join(src, 'dump', 'big.bin'))))
  const wrong = await fresh.run(['restore', 'main', 'latest', '--target', join(work, 'nope')], { env: { RESILIEN_PASSWORD: 'not the passphrase' } })
  assert.notEqual(wrong.code, 0)
  assert.match(wrong.stderr, /wrong passphrase/)
})

test('backup and rewrite refuse to commit when too few sites are up, unless degraded is allowed', async (t) => {
  const [a, b, c] = await newCluster(t, 3) as [Site, Site, Site]
  const work = await tempDir(t)
  const src = join(work, 'src')
  await mkdir(src)
  await writeFile(join(src, 'a.txt'), 'hello\n')
  await createRepo(a)
  await c.stop('SIGKILL')
  await waitFor('site3 down', async () => statusOf(a), (s) => s.sites.some((x) => x.name === 'site3' && !x.up))
  const refused = await a.run(['backup', 'main', src])
  assert.notEqual(refused.code, 0)
  assert.match(refused.stderr, /failure domains are up/)
  assert.equal(refused.stderr.trim().split('\n').length, 1, 'one clear line')
  const list = await a.run(['snapshots', 'main', '--json'])
  assert.deepEqual(JSON.parse(list.stdout), [])
  const id = await backup(a, [src], ['--allow-degraded'])
  const after = JSON.parse((await a.run(['snapshots', 'main', '--json'])).stdout) as Array<{ id: string, degraded: boolean }>
  assert.deepEqual(after.map((s) => [s.id, s.degraded]), [[id, true]])

  // rewrite stores new trees under the same rule: refused with one line, then allowed degraded,
  // and another site lists the new snapshot (its fact reached it before the command answered).
  const rewriteRefused = await a.run(['rewrite', 'main', '-e', '*.txt', '--forget'])
  assert.notEqual(rewriteRefused.code, 0)
  assert.match(rewriteRefused.stderr, /failure domains are up/)
  assert.equal(rewriteRefused.stderr.trim().split('\n').length, 1, rewriteRefused.stderr)
  assert.deepEqual(JSON.parse((await a.run(['snapshots', 'main', '--json'])).stdout), after)
  const rewritten = await a.run(['rewrite', 'main', '-e', '*.txt', '--forget', '--allow-degraded', '--json'])
  assert.equal(rewritten.code, 0, rewritten.stderr)
  const to = (JSON.parse(rewritten.stdout) as { rewritten: Array<{ to: string }> }).rewritten[0]?.to
  const seenOnB = JSON.parse((await b.run(['snapshots', 'main', '--json'])).stdout) as Array<{ id: string, degraded: boolean }>
  assert.deepEqual(seenOnB.map((s) => [s.id, s.degraded]), [[to, true]])

})

test('repo create warns of a policy the cluster cannot honour, and such a backup is refused naming why; check skips a site that is down', async (t) => {
  const [a, , c] = await newCluster(t, 3) as [Site, Site, Site]
  const work = await tempDir(t)
  const src = join(work, 'src')
  await mkdir(src)
  await writeFile(join(src, 'a.bin'), randomBytes(300_000))
  const create = async (name: string, ...policy: string[]): Promise<string[]> => {
    const r = await a.run(['repo', 'create', name, ...policy])
    assert.equal(r.code, 0, r.stderr)
    assert.match(r.stdout, new RegExp(`^repository ${name} created`))
    return r.stderr.trim() === '' ? [] : r.stderr.trim().split('\n')
  }
  assert.deepEqual(await create('wide', '--k', '3', '--m', '1'), ['warning: this cluster has 3 failure domains (zones) and a 3+1 pack needs 4, one shard in each: backups are refused until that many are up, unless --allow-degraded'])
  assert.deepEqual(await create('nopar', '--k', '2', '--m', '0'), ['warning: with m=0 a pack has no parity: no snapshot survives the loss of a site that holds one of its shards, so backups are refused unless --allow-degraded'])
  assert.deepEqual(await create('fits'), [])

  const wide = await a.run(['backup', 'wide', src])
  assert.equal(wide.code, 1)
  assert.match(wide.stderr, /a 3\+1 stripe needs 4/)
  const nopar = await a.run(['backup', 'nopar', src])
  assert.equal(nopar.code, 1)
  assert.equal(nopar.stderr.trim().split('\n').length, 1, nopar.stderr)
  // Not "repair spreads them": repair cannot add parity a repository was made without.
  assert.match(nopar.stderr, /^resilien: this repository's packs have no parity \(m=0\), so no snapshot survives the loss of a site that holds one of their shards; nothing was committed/)
  for (const repo of ['wide', 'nopar']) assert.deepEqual(JSON.parse((await a.run(['snapshots', repo, '--json'])).stdout), [])
  const fits = await a.run(['backup', 'fits', src])
  assert.equal(fits.code, 0, fits.stderr)

  await c.stop('SIGKILL')
  await waitFor('site3 down', async () => statusOf(a), (s) => s.sites.some((x) => x.name === 'site3' && !x.up))
  // A check cannot look at the shards of a site that is down: it says so, and they are not problems.
  const check = await a.run(['check', 'fits', '--read-data'])
  assert.equal(check.code, 3, check.stdout + check.stderr)
  assert.match(check.stdout, /^not checked: \d+ shards on site3, which could not be reached/m)
  assert.match(check.stdout, /^no problems found: 1 snapshots/m)
  assert.match(check.stderr, /^resilien: check found no problem, but \d+ shards on sites that could not be reached were not checked$/m, check.stderr)
  const json = JSON.parse((await a.run(['check', 'fits', '--read-data', '--json'])).stdout) as { ok: boolean, problems: unknown[], unreachable: Array<{ name: string, shards: number }> }
  assert.equal(json.ok, true)
  assert.deepEqual(json.problems, [])
  assert.deepEqual(json.unreachable.map((u) => u.name), ['site3'])
  assert.ok((json.unreachable[0]?.shards ?? 0) > 0)
})

test('two sites back up to their own repositories at the same time', async (t) => {
  const [a, b] = await newCluster(t, 3) as [Site, Site, Site]
  const work = await tempDir(t)
  const srcA = join(work, 'a')
  const srcB = join(work, 'b')
  for (const dir of [srcA, srcB]) {
    await mkdir(dir)
    await writeFile(join(dir, 'data.bin'), randomBytes(4 * 1024 * 1024))
  }
  await createRepo(a, 'repo-a')
  await createRepo(b, 'repo-b')
  await Promise.all([backup(a, [srcA], [], 'repo-a'), backup(b, [srcB], [], 'repo-b')])
  await restoreAndCompare(b, srcA, work, 'latest', 'repo-a')
  await restoreAndCompare(a, srcB, work, 'latest', 'repo-b')
})

/** Bytes of the files under `dir` (0 when it does not exist yet). */
async function bytesUnder (dir: string): Promise<number> {
  let total = 0
  for (const file of await filesUnder(dir).catch(() => [] as string[])) total += (await stat(file).catch(() => ({ size: 0 }))).size
  return total
}

test('a backup cut by the loss of a storage site mid-transfer is re-run and re-sends only what is missing', async (t) => {
  const [a, b] = await newCluster(t, 3) as [Site, Site, Site]
  const work = await tempDir(t)
  const src = join(work, 'src')
  await mkdir(src)
  const size = 48 * 1024 * 1024
  await writeFile(join(src, 'big.bin'), randomBytes(size))
  await createRepo(a)
  const running = a.run(['backup', 'main', src, '--json'])
  await waitFor('shards to reach site2', async () => bytesUnder(join(b.dataDir, 'store')), (n) => n > 8 * 1024 * 1024, 60_000)
  await b.stop('SIGKILL')
  const cut = await running
  assert.notEqual(cut.code, 0, 'the backup cannot be acknowledged without site2')
  assert.equal(JSON.parse((await a.run(['snapshots', 'main', '--json'])).stdout).length, 0)
  await b.start()
  await waitAllUp(a, 3)
  const again = await a.run(['backup', 'main', src, '--json'])
  assert.equal(again.code, 0, again.stderr)
  const stats = (JSON.parse(again.stdout) as { stats: { newBytes: number } }).stats
  assert.ok(stats.newBytes < size * 0.9, `the re-run stored ${stats.newBytes} new bytes of ${size}: what reached the sites before the cut is kept`)
  await restoreAndCompare(b, src, work)
})
