import '@resilien/polyfill'
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdir, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises'
import { randomBytes } from 'node:crypto'
import { join } from 'node:path'
import { spawn } from 'node:child_process'
import { setTimeout as sleep } from 'node:timers/promises'
import { newCluster, newSite, RESILIEN_BIN, resilienEnv, tempDir, TEST_ENV, waitFor } from '../src/index.js'
import type { Site } from '../src/index.js'

/**
 * A site with repository main and `count` backups of src/f.txt ("version 0", "version 1", ...);
 * the first is tagged golden. The snapshot ids in order, and a listing of the ids now.
 */
async function siteWithVersions (t: Parameters<typeof newSite>[0], count: number): Promise<{ site: Site, work: string, src: string, ids: string[], list: () => Promise<string[]> }> {
  const site = await newSite(t)
  const work = await tempDir(t)
  const src = join(work, 'src')
  await mkdir(src)
  assert.equal((await site.run(['repo', 'create', 'main'])).code, 0)
  const ids: string[] = []
  for (let i = 0; i < count; i++) {
    await writeFile(join(src, 'f.txt'), `version ${i}\n`)
    const r = await site.run(['backup', 'main', src, '--json', ...(i === 0 ? ['--tag', 'golden'] : [])])
    assert.equal(r.code, 0, r.stderr)
    ids.push((JSON.parse(r.stdout) as { id: string }).id)
  }
  const list = async (): Promise<string[]> => (JSON.parse((await site.run(['snapshots', 'main', '--json'])).stdout) as Array<{ id: string }>).map((s) => s.id).sort()
  return { site, work, src, ids, list }
}

test('forget keeps what the policy keeps, a dry run changes nothing, and kept snapshots restore', async (t) => {
  const { site, work, src, ids, list } = await siteWithVersions(t, 3)

  // snapshots --tag / --host / --path select as restic's do.
  const selected = async (...filter: string[]): Promise<string[]> => {
    const r = await site.run(['snapshots', 'main', '--json', ...filter])
    assert.equal(r.code, 0, r.stderr)
    return (JSON.parse(r.stdout) as Array<{ id: string }>).map((s) => s.id).sort()
  }
  assert.deepEqual(await selected('--tag', 'golden'), [ids[0]])
  assert.deepEqual(await selected('--tag', 'golden,other'), [], 'every tag of a list')
  assert.deepEqual(await selected('--tag', 'golden,other', '--tag', 'golden'), [ids[0]], 'any of the lists')
  assert.deepEqual(await selected('--host', 'no-such-host'), [])
  assert.deepEqual(await selected('--path', src), [...ids].sort())
  assert.deepEqual(await selected('--path', join(work, 'elsewhere')), [])
  assert.deepEqual(await selected('--latest', '1'), [ids[2]], 'the newest of the one series')
  assert.deepEqual(await selected('--latest', '2'), [ids[1], ids[2]].sort())
  assert.equal((await site.run(['snapshots', 'main', '--latest', '0'])).code, 2)

  const none = await site.run(['forget', 'main'])
  assert.notEqual(none.code, 0)
  assert.match(none.stderr, /no --keep-\* option/)
  const bad = await site.run(['forget', 'main', '--keep-last', '-1'])
  assert.equal(bad.code, 2, 'a bad count is a usage error')

  const dry = await site.run(['forget', 'main', '--keep-last', '1', '--keep-tag', 'golden', '--dry-run', '--json'])
  assert.equal(dry.code, 0, dry.stderr)
  const plan = JSON.parse(dry.stdout) as { remove: Array<{ id: string }>, keep: Array<{ id: string, reasons: string[] }>, dryRun: boolean }
  assert.equal(plan.dryRun, true)
  assert.deepEqual(plan.remove.map((s) => s.id), [ids[1]])
  assert.deepEqual(await list(), [...ids].sort(), 'a dry run forgets nothing')

  const real = await site.run(['forget', 'main', '--keep-last', '1', '--keep-tag', 'golden'])
  assert.equal(real.code, 0, real.stderr)
  assert.deepEqual(await list(), [ids[0], ids[2]].sort())
  const target = join(work, 'out')
  const restored = await site.run(['restore', 'main', ids[0] as string, '--target', target])
  assert.equal(restored.code, 0, restored.stderr)
  assert.equal(await readFile(join(target, src, 'f.txt'), 'utf8'), 'version 0\n')
})

test('forget ID... forgets the snapshots named; a name that matches nothing, or ids with a policy, change nothing', async (t) => {
  const { site, work, src, ids, list } = await siteWithVersions(t, 4)
  const [first, second, , last] = ids as [string, string, string, string]

  const unknown = await site.run(['forget', 'main', second, 'abcdef12'])
  assert.equal(unknown.code, 1)
  assert.deepEqual(unknown.stderr.trim().split('\n'), ['resilien: no snapshot "abcdef12" in repository "main"'])
  const both = await site.run(['forget', 'main', second, '--keep-last', '1'])
  assert.equal(both.code, 2)
  assert.match(both.stderr, /snapshots to forget or --keep-\* options, not both/)
  const dry = await site.run(['forget', 'main', second.slice(0, 8), '--dry-run'])
  assert.equal(dry.code, 0, dry.stderr)
  assert.match(dry.stdout, new RegExp(`^${second.slice(0, 8)} .* would be forgotten$`, 'm'))
  assert.deepEqual(await list(), [...ids].sort(), 'a name that matches nothing, both at once, and a dry run forget nothing')

  // A prefix and "latest", with the same snapshot named twice: each goes once.
  const named = await site.run(['forget', 'main', second.slice(0, 8), 'latest', last, '--json'])
  assert.equal(named.code, 0, named.stderr)
  const result = JSON.parse(named.stdout) as { remove: Array<{ id: string }>, keep: Array<{ id: string }> }
  assert.deepEqual(result.remove.map((s) => s.id).sort(), [second, last].sort())
  assert.equal(result.keep.length, 2)
  assert.deepEqual(await list(), [first, ids[2] as string].sort())
  const restored = await site.run(['restore', 'main', first, '--target', join(work, 'out')])
  assert.equal(restored.code, 0, restored.stderr)
  assert.equal(await readFile(join(work, 'out', src, 'f.txt'), 'utf8'), 'version 0\n')
})

test('forget --host / --tag / --path: the policy judges only the snapshots selected, the others stay', async (t) => {
  const { site, src, ids, list } = await siteWithVersions(t, 3)
  // Two more series: another host, and the same host with a nightly tag.
  const more = async (...args: string[]): Promise<string> => {
    const r = await site.run(['backup', 'main', src, '--json', ...args])
    assert.equal(r.code, 0, r.stderr)
    return (JSON.parse(r.stdout) as { id: string }).id
  }
  const office = [await more('--host', 'office'), await more('--host', 'office')]
  // Commas separate tags, as with restic: both are tags of the snapshot.
  const nightly = [await more('--tag', 'nightly'), await more('--tag', 'nightly,db')]
  const tagged = await site.run(['snapshots', 'main', '--tag', 'db', '--json'])
  assert.deepEqual((JSON.parse(tagged.stdout) as Array<{ id: string, tags: string[] }>).map((s) => [s.id, s.tags]), [[nightly[1], ['db', 'nightly']]])
  const all = [...ids, ...office, ...nightly].sort()
  // snapshots --latest takes the newest of each series: this host's (tagged or not) and office's.
  const latest = await site.run(['snapshots', 'main', '--latest', '1', '--json'])
  assert.deepEqual((JSON.parse(latest.stdout) as Array<{ id: string }>).map((s) => s.id).sort(), [office[1], nightly[1]].sort())

  const usage = await site.run(['forget', 'main', ids[1] as string, '--host', 'office'])
  assert.equal(usage.code, 2)
  assert.match(usage.stderr, /select the snapshots a --keep-\* policy applies to/)

  // Only office's series: its older snapshot goes, nothing of this host's.
  const dry = await site.run(['forget', 'main', '--host', 'office', '--keep-last', '1', '--dry-run', '--json'])
  assert.equal(dry.code, 0, dry.stderr)
  const plan = JSON.parse(dry.stdout) as { remove: Array<{ id: string }>, keep: Array<{ id: string }> }
  assert.deepEqual(plan.remove.map((s) => s.id), [office[0]])
  assert.deepEqual(plan.keep.map((s) => s.id), [office[1]], 'snapshots outside the selection are not listed')
  assert.deepEqual(await list(), all)
  assert.equal((await site.run(['forget', 'main', '--host', 'office', '--keep-last', '1'])).code, 0)
  assert.deepEqual(await list(), all.filter((id) => id !== office[0]))

  // Tagged nightly: this host's series has five snapshots, the policy sees the two tagged ones.
  assert.equal((await site.run(['forget', 'main', '--tag', 'nightly', '--keep-last', '1'])).code, 0)
  assert.deepEqual(await list(), all.filter((id) => id !== office[0] && id !== nightly[0]))
  // A path no snapshot has: nothing is selected, nothing goes.
  const none = await site.run(['forget', 'main', '--path', '/no/such/path', '--keep-last', '1', '--json'])
  assert.equal(none.code, 0, none.stderr)
  assert.deepEqual(JSON.parse(none.stdout), { keep: [], remove: [], dryRun: false })
  assert.equal((await list()).length, all.length - 2)
})

test('tag --add keep protects a snapshot from forget --keep-tag: it gets a new id and restores; bad input changes nothing', async (t) => {
  const { site, work, src, ids, list } = await siteWithVersions(t, 3)
  const [first, second] = ids as [string, string, string]
  const tagged = await site.run(['tag', 'main', second.slice(0, 8), 'latest', '--add', 'keep', '--json'])
  assert.equal(tagged.code, 0, tagged.stderr)
  const changed = (JSON.parse(tagged.stdout) as { changed: Array<{ from: string, to: string, tags: string[] }> }).changed
  assert.deepEqual(changed.map((c) => [c.from, c.tags]).sort(), [[second, ['keep']], [ids[2], ['keep']]].sort())
  const renamed = new Map(changed.map((c) => [c.from, c.to]))
  const now = [first, renamed.get(second) as string, renamed.get(ids[2] as string) as string]
  assert.deepEqual(await list(), [...now].sort(), 'the old ids are gone, the new ones are there')

  for (const [args, code, line] of [
    [['tag', 'main', 'latest'], 2, /say how the tags change/],
    [['tag', 'main', 'latest', '--set', 'x', '--add', 'y'], 2, /--set replaces all tags/],
    [['tag', 'main', 'latest', 'abcdef12', '--add', 'y'], 1, /no snapshot "abcdef12"/]
  ] as Array<[string[], number, RegExp]>) {
    const r = await site.run(args)
    assert.equal(r.code, code, `${args.join(' ')}: ${r.stderr}`)
    assert.match(r.stderr, line)
  }
  assert.deepEqual(await list(), [...now].sort(), 'refused changes left every snapshot as it was')

  // The tag keeps the tagged ones; golden (the first) is kept by --keep-tag too.
  const forget = await site.run(['forget', 'main', '--keep-tag', 'keep', '--keep-tag', 'golden', '--json'])
  assert.equal(forget.code, 0, forget.stderr)
  assert.deepEqual(await list(), [...now].sort())
  const untag = await site.run(['tag', 'main', now[1] as string, '--set', ''])
  assert.equal(untag.code, 0, untag.stderr)
  assert.equal((await site.run(['forget', 'main', '--keep-tag', 'keep', '--keep-tag', 'golden'])).code, 0)
  assert.equal((await list()).length, 2, 'untagged, the second snapshot goes')
  const target = join(work, 'out')
  const restored = await site.run(['restore', 'main', now[2] as string, '--target', target])
  assert.equal(restored.code, 0, restored.stderr)
  assert.equal(await readFile(join(target, src, 'f.txt'), 'utf8'), 'version 2\n')
})

/** Bytes of the shard files of a site. */
async function shardBytes (site: Site): Promise<number> {
  let total = 0
  const root = join(site.dataDir, 'store', 'shards')
  for (const dir of await readdir(root).catch(() => [] as string[])) {
    for (const name of await readdir(join(root, dir))) total += (await stat(join(root, dir, name)).catch(() => ({ size: 0 }))).size
  }
  return total
}

test('forget --prune while a backup runs: kept snapshots restore byte for byte and the sites free the space', async (t) => {
  const sites = await newCluster(t, 3, { RESILIEN_GC_INTERVAL: '1s', RESILIEN_GC_GRACE: '1s' })
  const a = sites[0] as Site
  const work = await tempDir(t)
  const src = join(work, 'src')
  await mkdir(src)
  const old = randomBytes(8 * 1024 * 1024)
  const keep = randomBytes(2 * 1024 * 1024)
  await writeFile(join(src, 'old.bin'), old)
  await writeFile(join(src, 'keep.bin'), keep)
  assert.equal((await a.run(['repo', 'create', 'main'])).code, 0)
  const backup = async (tags: string[]): Promise<string> => {
    const r = await a.run(['backup', 'main', src, '--json', ...tags.flatMap((tag) => ['--tag', tag])])
    assert.equal(r.code, 0, r.stderr)
    return (JSON.parse(r.stdout) as { id: string }).id
  }
  const v1 = await backup([])
  await rm(join(src, 'old.bin'))
  const v2 = await backup(['keep'])
  const before = (await Promise.all(sites.map(shardBytes))).reduce((x, y) => x + y, 0)

  await writeFile(join(src, 'small.txt'), 'small\n')
  const [v3, forget] = await Promise.all([
    backup([]),
    a.run(['forget', 'main', '--keep-last', '1', '--keep-tag', 'keep', '--prune', '--json'])
  ])
  assert.equal(forget.code, 0, forget.stderr)
  const result = JSON.parse(forget.stdout) as { remove: Array<{ id: string }>, prune: { packsDeleted: number, packsRepacked: number } }
  assert.ok(result.remove.some((s) => s.id === v1), 'the first snapshot is forgotten')
  assert.ok(result.prune.packsDeleted + result.prune.packsRepacked > 0)

  const listed = (JSON.parse((await a.run(['snapshots', 'main', '--json'])).stdout) as Array<{ id: string }>).map((s) => s.id)
  assert.ok(listed.includes(v2) && listed.includes(v3) && !listed.includes(v1), JSON.stringify(listed))
  for (const id of [v2, v3]) {
    const target = join(work, `out-${id}`)
    const r = await a.run(['restore', 'main', id, '--target', target])
    assert.equal(r.code, 0, r.stderr)
    assert.ok((await readFile(join(target, src, 'keep.bin'))).equals(keep))
  }
  assert.equal(await readFile(join(work, `out-${v3}`, src, 'small.txt'), 'utf8'), 'small\n')
  // The shards of the deleted packs leave every site's disk.
  await waitFor('the sites to delete the pruned shards', async () => (await Promise.all(sites.map(shardBytes))).reduce((x, y) => x + y, 0),
    (total) => total < before - 8 * 1024 * 1024, 60_000)
})

test('forget --prune of a snapshot a dump is reading: the prune waits for the dump, which comes out whole', async (t) => {
  const site = await newSite(t)
  const work = await tempDir(t)
  const src = join(work, 'src')
  await mkdir(src)
  const big = randomBytes(16 * 1024 * 1024)
  await writeFile(join(src, 'big.bin'), big)
  assert.equal((await site.run(['repo', 'create', 'main'])).code, 0)
  const first = await site.run(['backup', 'main', src, '--json'])
  assert.equal(first.code, 0, first.stderr)
  const old = (JSON.parse(first.stdout) as { id: string }).id
  await rm(join(src, 'big.bin'))
  await writeFile(join(src, 'small.txt'), 'small\n')
  assert.equal((await site.run(['backup', 'main', src])).code, 0)

  // The dump is under way (its first bytes are here) and stalls on its reader while the prune
  // starts; the reader goes on a second later.
  const dump = spawn(RESILIEN_BIN, ['dump', 'main', old, join(src, 'big.bin'), '--data', site.dataDir], { env: resilienEnv(TEST_ENV), stdio: ['ignore', 'pipe', 'pipe'] })
  let dumpErr = ''
  dump.stderr.on('data', (d: Buffer) => { dumpErr += d.toString() })
  const dumpExit = new Promise<number | null>((resolve) => dump.once('exit', resolve))
  const pieces: Buffer[] = []
  const firstBytes = new Promise<void>((resolve) => dump.stdout.once('data', () => resolve()))
  dump.stdout.on('data', (d: Buffer) => pieces.push(d))
  await firstBytes
  dump.stdout.pause()
  const forgetting = site.run(['forget', 'main', old, '--prune', '--json'])
  await sleep(1000)
  dump.stdout.resume()
  const [code, forget] = await Promise.all([dumpExit, forgetting])
  assert.equal(code, 0, dumpErr)
  assert.ok(Buffer.concat(pieces).equals(big), 'the dump is byte for byte the file')
  assert.equal(forget.code, 0, forget.stderr)
  const pruned = (JSON.parse(forget.stdout) as { prune: { packsDeleted: number } }).prune
  assert.ok(pruned.packsDeleted > 0, 'the prune deleted the packs the dump read, after it')
})
