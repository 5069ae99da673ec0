import '@resilien/polyfill'
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdir, writeFile } from 'node:fs/promises'
import { randomBytes } from 'node:crypto'
import { join } from 'node:path'
import { buildFixtureTree, compareTrees, newSite, tempDir } from '../src/index.js'
import type { Site } from '../src/index.js'

interface Listed { id: string, time: string, tags: string[], paths: string[] }

async function snapshots (site: Site): Promise<Listed[]> {
  const r = await site.run(['snapshots', 'main', '--json'])
  assert.equal(r.code, 0, r.stderr)
  return (JSON.parse(r.stdout) as Listed[]).sort((a, b) => a.id.localeCompare(b.id))
}

async function backup (site: Site, args: string[]): Promise<string> {
  const r = await site.run(['backup', 'main', ...args, '--json'])
  assert.equal(r.code, 0, r.stderr)
  return (JSON.parse(r.stdout) as { id: string }).id
}

test('rewrite takes a client\'s folder and a secret out of every snapshot; the rest restores as it was, and prune frees the data', async (t) => {
  const site = await newSite(t)
  const work = await tempDir(t)
  const src = join(work, 'src')
  await buildFixtureTree(src)
  // A client who left (their data must go from the backups) and a secret that slipped in.
  await mkdir(join(src, 'bob', 'files'), { recursive: true })
  await writeFile(join(src, 'bob', 'files', 'photo.jpg'), randomBytes(2 * 1024 * 1024))
  await writeFile(join(src, 'bob', 'notes.md'), 'bob\n')
  await writeFile(join(src, 'docs', 'deep', '.env'), 'DB_PASSWORD=hunter2\n')
  const other = join(work, 'other')
  await mkdir(other)
  await writeFile(join(other, 'kept.txt'), 'nothing to take out here\n')
  assert.equal((await site.run(['repo', 'create', 'main'])).code, 0)
  const first = await backup(site, [src, '--tag', 'nightly'])
  await writeFile(join(src, 'docs', 'later.txt'), 'a day later\n')
  const second = await backup(site, [src, '--tag', 'nightly'])
  const untouched = await backup(site, [other])
  const before = await snapshots(site)
  const excludes = ['-e', join(src, 'bob'), '-e', '.env']

  // Refused with one line, nothing changed: no pattern, a name that matches nothing, names with a
  // selection, every path of a snapshot, a bad pattern.
  const refusals: Array<[args: string[], code: number, line: RegExp]> = [
    [[], 2, /say what to take out of the snapshots/],
    [['0000ffff', ...excludes], 1, /no snapshot/],
    [[first, '--host', 'x', ...excludes], 2, /not both/],
    [['-e', src], 1, /take every path out of snapshot .*: forget it instead/],
    [['-e', `/${src.split('/')[1] as string}`], 1, /take every path out of snapshot .*: forget it instead/],
    [['-e', '[abc'], 1, /without its \]/],
    [['--exclude-file', join(work, 'missing')], 2, /cannot read the exclude file/]
  ]
  for (const [args, code, line] of refusals) {
    const r = await site.run(['rewrite', 'main', ...args])
    assert.equal(r.code, code, `${args.join(' ')}: ${r.stderr}`)
    assert.match(r.stderr, line)
    assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr)
  }
  assert.deepEqual(await snapshots(site), before)

  // A dry run says which snapshots lose what, and changes nothing.
  const dry = await site.run(['rewrite', 'main', ...excludes, '--dry-run', '--json'])
  assert.equal(dry.code, 0, dry.stderr)
  const plan = JSON.parse(dry.stdout) as { rewritten: Array<{ from: string, to: string, removed: { files: number, dirs: number, bytes: number } }>, unchanged: string[], dryRun: boolean }
  assert.deepEqual(plan.rewritten.map((r) => [r.from, r.to, r.removed]).sort(), [first, second].sort().map((id) => [id, '', { files: 3, dirs: 2, bytes: 2 * 1024 * 1024 + 4 + 20 }]))
  assert.deepEqual(plan.unchanged, [untouched])
  assert.deepEqual(await snapshots(site), before)

  // Without --forget the new snapshot stands beside its original, tagged "rewrite"; named twice, it is rewritten once.
  const beside = await site.run(['rewrite', 'main', first.slice(0, 8), first, ...excludes])
  assert.equal(beside.code, 0, beside.stderr)
  assert.match(beside.stdout, /without 3 files and 2 folders .*\n1 snapshot rewritten/)
  const withBoth = await snapshots(site)
  assert.equal(withBoth.length, 4)
  const copy = withBoth.find((s) => !before.some((b) => b.id === s.id)) as Listed
  const original = before.find((s) => s.id === first) as Listed
  assert.deepEqual([copy.time, copy.paths, copy.tags], [original.time, original.paths, ['nightly', 'rewrite']])

  // With --forget, selected by tag: the originals go in the same batch; the other series stays.
  const forget = await site.run(['rewrite', 'main', '--tag', 'nightly', ...excludes, '--forget', '--json'])
  assert.equal(forget.code, 0, forget.stderr)
  const done = JSON.parse(forget.stdout) as { rewritten: Array<{ from: string, to: string }>, unchanged: string[], forgotten: boolean }
  assert.equal(done.forgotten, true)
  // The copy made above holds nothing more to take out: it stays as it is.
  assert.deepEqual(done.rewritten.map((r) => r.from).sort(), [first, second].sort())
  assert.deepEqual(done.unchanged, [copy.id])
  const after = await snapshots(site)
  assert.deepEqual(after.map((s) => s.id).sort(), [untouched, copy.id, ...done.rewritten.map((r) => r.to)].sort())
  assert.ok(after.filter((s) => s.id !== untouched).every((s) => s.tags.includes('nightly')))

  // The rewritten latest restores as the source was, without bob and the secret: nothing else differs.
  const target = join(work, 'restored')
  const newest = done.rewritten.find((r) => r.from === second)?.to as string
  const restore = await site.run(['restore', 'main', newest, '--target', target])
  assert.equal(restore.code, 0, restore.stderr)
  assert.deepEqual((await compareTrees(src, join(target, src))).sort((a, b) => a.path.localeCompare(b.path)), [
    { path: '/bob', what: 'missing' },
    { path: '/docs/deep/.env', what: 'missing' }
  ])
  const find = await site.run(['find', 'main', '.env', 'photo.jpg', '--json'])
  assert.equal(find.code, 0, find.stderr)
  assert.equal(find.stdout, '', 'no snapshot holds them any more')
  const foundBefore = await site.run(['find', 'main', 'kept.txt', '--json'])
  assert.equal(foundBefore.stdout.trim().split('\n').length, 1, 'find does list what is there')
  // A second rewrite finds nothing left to take out.
  const again = await site.run(['rewrite', 'main', ...excludes])
  assert.equal(again.code, 0, again.stderr)
  assert.match(again.stdout, /0 snapshots rewritten, 4 unchanged/)

  // Prune frees bob's photo; the repository checks clean and the other series restores.
  const prune = await site.run(['prune', 'main', '--json'])
  assert.equal(prune.code, 0, prune.stderr)
  assert.ok((JSON.parse(prune.stdout) as { packedBytesFreed: number }).packedBytesFreed >= 2 * 1024 * 1024)
  const check = await site.run(['check', 'main', '--read-data'])
  assert.equal(check.code, 0, check.stdout + check.stderr)
  const otherTarget = join(work, 'other-restored')
  assert.equal((await site.run(['restore', 'main', untouched, '--target', otherTarget])).code, 0)
  assert.deepEqual(await compareTrees(other, join(otherTarget, other)), [])
})
