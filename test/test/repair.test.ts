import '@resilien/polyfill'
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { randomBytes } from 'node:crypto'
import { CLUSTER_TEST_ENV, compareTrees, joinSite, newCluster, statusOf, tempDir, waitFor } from '../src/index.js'
import type { Site, StatusJson } from '../src/index.js'

const REPAIR_ENV = { RESILIEN_REPAIR_INTERVAL: '1s', RESILIEN_REPAIR_GRACE: '3s' }

async function backupSample (site: Site, work: string, randomMiB = 5): Promise<string> {
  const src = join(work, 'src')
  await mkdir(join(src, 'sub'), { recursive: true })
  await writeFile(join(src, 'sub', 'a.bin'), randomBytes(randomMiB * 1024 * 1024))
  await writeFile(join(src, 'b.txt'), 'text\n'.repeat(100_000))
  const created = await site.run(['repo', 'create', 'main', '--k', '2', '--m', '1'])
  assert.equal(created.code, 0, created.stderr)
  const r = await site.run(['backup', 'main', src])
  assert.equal(r.code, 0, r.stderr)
  return src
}

async function restoreAndCompare (site: Site, src: string, work: string): Promise<void> {
  const target = join(work, `restore-${Math.random().toString(36).slice(2, 8)}`)
  const r = await site.run(['restore', 'main', 'latest', '--target', target])
  assert.equal(r.code, 0, `restore on ${site.name}: ${r.stderr}`)
  assert.deepEqual(await compareTrees(src, join(target, src)), [])
}

const healed = (s: StatusJson): boolean => s.redundancy.stripes > 0 && s.redundancy.full === s.redundancy.stripes

test('a site down past the grace period is rebuilt on the others; then a second site can die', async (t) => {
  const sites = await newCluster(t, 4, REPAIR_ENV)
  const [a, b, , d] = sites as [Site, Site, Site, Site]
  const work = await tempDir(t)
  const src = await backupSample(a, work)
  const whatIf = await a.run(['status', '--what-if', 'site4', '--json'])
  assert.equal(whatIf.code, 0, whatIf.stderr)
  const report = (JSON.parse(whatIf.stdout) as { whatIf: { site: string, restorable: boolean, lost: number, atRisk: number, stripes: number } }).whatIf
  assert.equal(report.site, 'site4')
  assert.equal(report.restorable, true)
  assert.equal(report.lost, 0)
  assert.ok(report.atRisk > 0, 'the stripes with a shard on site4 would be one failure from loss')

  await d.stop('SIGKILL')
  const after = await waitFor('redundancy to be full again without site4', async () => statusOf(a), healed, 60_000)
  assert.equal(after.redundancy.degraded + after.redundancy.atRisk + after.redundancy.lost, 0)
  // A second loss: everything still restores.
  await b.stop('SIGKILL')
  await restoreAndCompare(a, src, work)
})

test('site lost rebuilds a dead site at once, without waiting for the grace period', async (t) => {
  const sites = await newCluster(t, 4, { RESILIEN_REPAIR_INTERVAL: '1s' })
  const [a, , c, d] = sites as [Site, Site, Site, Site]
  const work = await tempDir(t)
  const src = await backupSample(a, work)
  await d.stop('SIGKILL')
  const declared = await a.run(['site', 'lost', 'site4'])
  assert.equal(declared.code, 0, declared.stderr)
  const unknown = await a.run(['site', 'lost', 'nope'])
  assert.notEqual(unknown.code, 0)
  assert.match(unknown.stderr, /no site named "nope"/)
  const after = await waitFor('redundancy to be full again', async () => statusOf(a), healed, 60_000)
  assert.equal(after.sites.some((s) => s.name === 'site4'), false, 'a lost site is no longer listed')
  await restoreAndCompare(c, src, work)
})

test('a site that joins after the backing-up site was declared lost takes its log up to where the loss recorded it: it restores its snapshot and keeps the rebuilt shards', async (t) => {
  const env = { RESILIEN_REPAIR_INTERVAL: '1s' }
  const [a, b] = await newCluster(t, 3, env) as [Site, Site, Site]
  const work = await tempDir(t)
  const src = await backupSample(a, work)
  await a.stop('SIGKILL')
  const declared = await b.run(['site', 'lost', 'site1'])
  assert.equal(declared.code, 0, declared.stderr)
  // The disaster-recovery path: a fresh site joins with an invite from a survivor.
  const fresh = await joinSite(t, b, 'site4', env)
  // What site1 signed before it was lost (the repository, its snapshot, its stripes) reaches site4.
  await waitFor('site1\'s repository on site4', async () => (await fresh.run(['repo', 'list', '--json'])).stdout, (out) => out.includes('"main"'), 30_000)
  await restoreAndCompare(fresh, src, work)
  // Repair rebuilds site1's shards, some on site4, which knows their stripes and keeps them.
  await waitFor('redundancy to be full on site4', async () => statusOf(fresh), healed, 60_000)
  const check = await fresh.run(['check', 'main', '--read-data'])
  assert.equal(check.code, 0, check.stdout + check.stderr)
})

test('scrub finds every flipped, truncated or deleted shard file on a site, quarantines it, and rebuilds it from the others', async (t) => {
  const [a, b] = await newCluster(t, 3, { RESILIEN_SCRUB_INTERVAL: '1s', RESILIEN_SCRUB_RATE: '0' }) as [Site, Site, Site]
  const work = await tempDir(t)
  await backupSample(a, work)
  const shardDir = join(b.dataDir, 'store', 'shards')
  const files: string[] = []
  for (const dir of await readdir(shardDir)) for (const name of await readdir(join(shardDir, dir))) files.push(join(shardDir, dir, name))
  const victims = files.slice(0, Math.max(3, Math.floor(files.length / 2)))
  // A dying SD card: one byte flipped, a file cut short, a file gone.
  const originals = new Map<string, Buffer>()
  for (const [i, file] of victims.entries()) {
    const bytes = await readFile(file)
    originals.set(file, Buffer.from(bytes))
    if (i % 3 === 0) {
      bytes[bytes.length - 1] = (bytes[bytes.length - 1] as number) ^ 0xff
      await writeFile(file, bytes)
    } else if (i % 3 === 1) {
      await writeFile(file, bytes.subarray(0, Math.floor(bytes.length / 2)))
    } else {
      await rm(file)
    }
  }
  const damaged = victims.filter((_, i) => i % 3 !== 2).length
  await waitFor('the damaged shard files to be quarantined', async () => (await readdir(join(b.dataDir, 'store', 'quarantine'))).length, (n) => n === damaged, 60_000)
  await waitFor('every damaged shard to be rebuilt as it was', async () => {
    let same = 0
    for (const [file, bytes] of originals) if ((await readFile(file).catch(() => undefined))?.equals(bytes) === true) same++
    return same
  }, (n) => n === victims.length, 60_000)
  const check = await a.run(['check', 'main', '--read-data'])
  assert.equal(check.code, 0, check.stdout + check.stderr)
})

test('a site that comes back after its shards were rebuilt elsewhere loses no data and drops its extra copies', async (t) => {
  const sites = await newCluster(t, 4, { ...REPAIR_ENV, RESILIEN_GC_INTERVAL: '1s', RESILIEN_GC_GRACE: '2s' })
  const [a, , c, d] = sites as [Site, Site, Site, Site]
  const work = await tempDir(t)
  const src = await backupSample(a, work)
  const before = (await statusOf(a)).sites.find((s) => s.name === 'site4')?.storedBytes ?? 0
  assert.ok(before > 0, 'site4 holds shards')
  await d.stop('SIGKILL')
  const rebuilt = await waitFor('redundancy to be full again without site4', async () => statusOf(a), healed, 60_000)
  assert.equal(rebuilt.sites.find((s) => s.name === 'site4')?.storedBytes, 0, 'the catalog places nothing on site4 any more')
  await d.start()
  // Its old shards were rebuilt elsewhere: its GC drops them, and it keeps only what the catalog
  // places on it now (rebalancing may give it a share again).
  const site4Bytes = async (): Promise<{ onDisk: number, placed: number }> => ({
    onDisk: (await statusOf(d)).sites.find((x) => x.name === 'site4')?.storedBytes ?? -1,
    placed: (await statusOf(a)).sites.find((x) => x.name === 'site4')?.storedBytes ?? -1
  })
  await waitFor('site4 to drop the copies rebuilt elsewhere', site4Bytes, (b) => b.onDisk === b.placed, 60_000)
  await restoreAndCompare(c, src, work)
})

test('a site that joins gets its share of the existing shards', async (t) => {
  const sites = await newCluster(t, 3, { ...REPAIR_ENV, RESILIEN_GC_INTERVAL: '1s', RESILIEN_GC_GRACE: '2s' })
  const a = sites[0] as Site
  const work = await tempDir(t)
  // Enough packs (about 12) for the load to be evened out in shards.
  const src = await backupSample(a, work, 40)
  const newcomer = await joinSite(t, a, 'site4', { ...CLUSTER_TEST_ENV, ...REPAIR_ENV, RESILIEN_GC_INTERVAL: '1s', RESILIEN_GC_GRACE: '2s' })
  const spread = await waitFor('site4 to hold a share of the shards', async () => statusOf(a), (s) => {
    const bytes = s.sites.map((x) => x.storedBytes)
    return s.sites.length === 4 && Math.min(...bytes) > 0 && Math.max(...bytes) <= 2 * Math.min(...bytes)
  }, 60_000)
  assert.equal(spread.redundancy.full, spread.redundancy.stripes)
  await restoreAndCompare(newcomer, src, work)
})

test('site retire drains a running site: its shards move to the others, then it can go; two retires at once cannot both pass', async (t) => {
  const sites = await newCluster(t, 4, { RESILIEN_REPAIR_INTERVAL: '1s' })
  const [a, b, c, d] = sites as [Site, Site, Site, Site]
  const work = await tempDir(t)
  const src = await backupSample(a, work)
  // Packs need 3 sites: one of four may retire, not two. Asked at once, each sees four members
  // unless the second waits for the first to be recorded.
  const [three, four] = await Promise.all([a.run(['site', 'retire', 'site3']), a.run(['site', 'retire', 'site4'])])
  assert.deepEqual([three.code, four.code].sort(), [0, 1], three.stderr + four.stderr)
  const [name, going, refused] = four.code === 0 ? ['site4', d, three] : ['site3', c, four]
  assert.match(refused.stderr, /cannot retire: some of its packs need 3 sites .* and 2 would be left/)
  const text = await a.run(['status'])
  assert.match(text.stdout, new RegExp(`${name} +up {3}retiring `))
  const drained = await waitFor(`${name} to be drained`, async () => statusOf(a),
    (s) => healed(s) && s.sites.find((x) => x.name === name)?.storedBytes === 0, 60_000)
  assert.equal(drained.sites.find((x) => x.name === name)?.retiring, true)
  assert.equal(drained.sites.filter((x) => x.retiring).length, 1)
  assert.ok(drained.warnings.includes(`${name} is retiring and holds no shards any more: it can be stopped`), drained.warnings.join('; '))
  await going.stop('SIGKILL')
  await restoreAndCompare(b, src, work)
})

test('site retire is refused when the sites left cannot hold its packs; site lost says they stay a shard short', async (t) => {
  const sites = await newCluster(t, 3, { RESILIEN_REPAIR_INTERVAL: '1s' })
  const [a, , c] = sites as [Site, Site, Site]
  const work = await tempDir(t)
  const src = await backupSample(a, work)
  const refused = await a.run(['site', 'retire', 'site3'])
  assert.equal(refused.code, 1)
  assert.equal(refused.stdout, '')
  assert.deepEqual(refused.stderr.trim().split('\n'), ['resilien: site3 cannot retire: some of its packs need 3 sites (2 data + 1 parity shards, one per site), and 2 would be left; add a site first (`resilien invite`), then retire site3'])
  // Nothing was recorded: site3 is no retiring site, and redundancy is untouched.
  const after = await statusOf(a)
  assert.deepEqual(after.sites.map((s) => [s.name, s.retiring]).sort(), [['site1', false], ['site2', false], ['site3', false]])
  assert.ok(healed(after))
  assert.deepEqual(after.warnings, [])

  await c.stop('SIGKILL')
  const lost = await a.run(['site', 'lost', 'site3'])
  assert.equal(lost.code, 0, lost.stderr)
  assert.match(lost.stderr, /^warning: site3: some of its packs need 3 sites \(2 data \+ 1 parity shards, one per site\), and 2 would be left, so those packs stay one shard short until a site joins/)
  assert.match(lost.stdout, /site site3 is declared lost/)
  await restoreAndCompare(a, src, work)
})
