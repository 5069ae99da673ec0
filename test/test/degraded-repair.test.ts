import '@resilien/polyfill'
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdir, readdir, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { randomBytes } from 'node:crypto'
import { compareTrees, newCluster, statusOf, tempDir, waitFor } from '../src/index.js'
import type { Site, StatusJson } from '../src/index.js'

/**
 * Repair every second; the grace stays at its default (an hour), so the site that is stopped
 * is only down, not gone: nothing is rebuilt without it, and only spreading can heal.
 */
const ENV = { RESILIEN_REPAIR_INTERVAL: '1s' }

async function sourceTree (work: string, name: string): Promise<string> {
  const src = join(work, name)
  await mkdir(join(src, 'sub'), { recursive: true })
  await writeFile(join(src, 'sub', 'random.bin'), randomBytes(2 * 1024 * 1024))
  await writeFile(join(src, 'notes.txt'), `${name}\n`.repeat(10_000))
  return src
}

async function backup (site: Site, src: string, ...flags: string[]): Promise<{ id: string, degraded: boolean }> {
  const r = await site.run(['backup', 'main', src, '--json', ...flags])
  assert.equal(r.code, 0, `backup on ${site.name}: ${r.stderr}`)
  return JSON.parse(r.stdout) as { id: string, degraded: boolean }
}

async function snapshotsOf (site: Site): Promise<Array<{ id: string, degraded: boolean }>> {
  const r = await site.run(['snapshots', 'main', '--json'])
  assert.equal(r.code, 0, r.stderr)
  return JSON.parse(r.stdout) as Array<{ id: string, degraded: boolean }>
}

/** `degraded` per snapshot id as `forget --dry-run` reports the snapshots it would keep. */
async function forgetView (site: Site): Promise<Record<string, boolean>> {
  const r = await site.run(['forget', 'main', '--keep-last', '10', '--dry-run', '--json'])
  assert.equal(r.code, 0, r.stderr)
  const result = JSON.parse(r.stdout) as { keep: Array<{ id: string, degraded: boolean }> }
  return Object.fromEntries(result.keep.map((s) => [s.id, s.degraded]))
}

async function restoreAndCompare (site: Site, snapshot: string, src: string, work: string): Promise<void> {
  const target = join(work, `restore-${Math.random().toString(36).slice(2, 8)}`)
  const r = await site.run(['restore', 'main', snapshot, '--target', target])
  assert.equal(r.code, 0, `restore of ${snapshot} on ${site.name}: ${r.stderr}`)
  assert.deepEqual(await compareTrees(src, join(target, src)), [])
}

/** Shard files in a site's store (the old copy of a moved shard stays until its GC). */
async function shardFiles (site: Site): Promise<number> {
  const root = join(site.dataDir, 'store', 'shards')
  let count = 0
  for (const dir of await readdir(root).catch(() => [])) count += (await readdir(join(root, dir))).length
  return count
}

const whole = (s: StatusJson): boolean => s.sites.every((x) => x.up) && s.redundancy.stripes > 0 &&
  s.redundancy.atRisk === 0 && s.redundancy.full === s.redundancy.stripes

test('a snapshot committed degraded while a site was down is spread when the site comes back: later backups commit, any site may go', async (t) => {
  const [a, b, c] = await newCluster(t, 3, ENV) as [Site, Site, Site]
  const work = await tempDir(t)
  const created = await a.run(['repo', 'create', 'main', '--k', '2', '--m', '1'])
  assert.equal(created.code, 0, created.stderr)
  const first = await sourceTree(work, 'first')
  const whole1 = await backup(a, first)
  assert.equal(whole1.degraded, false)

  await c.stop('SIGKILL')
  await waitFor('site1 to see site3 down', async () => statusOf(a), (s) => s.sites.find((x) => x.name === 'site3')?.up === false)
  const [beforeA, beforeB] = [await shardFiles(a), await shardFiles(b)]
  const second = await sourceTree(work, 'second')
  const degraded = await backup(a, second, '--allow-degraded')
  assert.equal(degraded.degraded, true)
  // Three shards of each new stripe on two sites: the one with two of them is the one to lose.
  const [addedA, addedB] = [await shardFiles(a) - beforeA, await shardFiles(b) - beforeB]
  const doubled = addedA >= addedB ? a : b
  const other = doubled === a ? b : a
  assert.ok(Math.max(addedA, addedB) > Math.min(addedA, addedB), `one site took two shards of a stripe (${addedA} and ${addedB} new shard files)`)
  assert.ok((await statusOf(a)).redundancy.atRisk > 0, 'the degraded snapshot\'s stripes are at risk')
  assert.deepEqual((await snapshotsOf(a)).map((s) => s.degraded), [false, true])
  assert.deepEqual(await forgetView(a), { [whole1.id]: false, [degraded.id]: true })

  await c.start()
  const healed = await waitFor('every stripe to survive the loss of a site again', async () => statusOf(a), whole, 90_000)
  assert.equal(healed.redundancy.lost + healed.redundancy.degraded, 0)
  // Every site sees the spread, and the snapshot is no longer shown degraded.
  for (const site of [b, c]) await waitFor(`${site.name} to see the spread`, async () => statusOf(site), whole, 30_000)
  assert.deepEqual((await snapshotsOf(a)).map((s) => s.degraded), [false, false])
  assert.deepEqual(await forgetView(a), { [whole1.id]: false, [degraded.id]: false }, 'forget shows it as snapshots does')
  // Repairing again changes nothing.
  for (const site of [a, b, c]) {
    const r = await site.run(['repair'])
    assert.equal(r.code, 0, r.stderr)
    assert.match(r.stdout, /^0 stripes need repair: 0 shards rebuilt here, 0 spread to another failure domain, /)
  }
  assert.ok(whole(await statusOf(a)))

  // A plain backup commits again.
  const third = await sourceTree(work, 'third')
  const whole3 = await backup(a, third)
  assert.equal(whole3.degraded, false)

  for (const site of [a, b, c]) {
    const r = await a.run(['status', '--what-if', site.name, '--json'])
    assert.equal(r.code, 0, r.stderr)
    const report = (JSON.parse(r.stdout) as StatusJson).whatIf
    assert.equal(report?.restorable, true, `without ${site.name}: ${r.stdout}`)
    assert.equal(report?.lost, 0)
  }

  await doubled.stop('SIGKILL')
  await restoreAndCompare(other, whole1.id, first, work)
  await restoreAndCompare(other, degraded.id, second, work)
  await restoreAndCompare(other, whole3.id, third, work)
})
