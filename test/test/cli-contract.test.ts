import { test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { randomBytes } from 'node:crypto'
import { spawnSync } from 'node:child_process'
import { newSite, RESILIEN_BIN, resilienEnv, tempDir, runResilien, TEST_ENV } from '../src/index.js'
import type { Site } from '../src/index.js'

test('status --json has the sites and the redundancy summary of the contract', async (t) => {
  const site = await newSite(t, 'alpha')
  const work = await tempDir(t)
  await mkdir(join(work, 'src'))
  await writeFile(join(work, 'src', 'a.bin'), randomBytes(1_000_000))
  assert.equal((await site.run(['repo', 'create', 'main'])).code, 0)
  assert.equal((await site.run(['backup', 'main', join(work, 'src')])).code, 0)
  const r = await site.run(['status', '--json'])
  assert.equal(r.code, 0, r.stderr)
  const status = JSON.parse(r.stdout) as { sites: Array<Record<string, unknown>>, redundancy: Record<string, number>, warnings: string[] }
  assert.equal(status.sites.length, 1)
  const s = status.sites[0] as Record<string, unknown>
  // The contract's keys, and one addition: whether `site retire` was said of the site.
  assert.deepEqual(Object.keys(s).sort(), ['lastSeen', 'name', 'peerId', 'retiring', 'storedBytes', 'up', 'zone'])
  assert.equal(s.retiring, false)
  assert.equal(s.name, 'alpha')
  assert.equal(s.up, true)
  assert.ok((s.storedBytes as number) > 1_000_000)
  assert.match(s.peerId as string, /^12D3KooW/)
  const red = status.redundancy
  assert.deepEqual(Object.keys(red).sort(), ['atRisk', 'degraded', 'full', 'lost', 'stripes'])
  assert.ok(red.stripes !== undefined && red.stripes >= 3)
  assert.equal(red.atRisk, red.stripes, 'on a single site every stripe is one site loss from lost')
  assert.ok(status.warnings.some((w) => /single site/.test(w)))
})

/** A site with repository main, `backups` snapshots of a folder src holding a.txt (`text`). */
async function siteWithBackups (t: Parameters<typeof newSite>[0], text: string, backups: number): Promise<{ site: Site, src: string }> {
  const site = await newSite(t, 'alpha')
  const src = join(await tempDir(t), 'src')
  await mkdir(src)
  await writeFile(join(src, 'a.txt'), text)
  assert.equal((await site.run(['repo', 'create', 'main'])).code, 0)
  for (let i = 0; i < backups; i++) assert.equal((await site.run(['backup', 'main', src])).code, 0)
  return { site, src }
}

test('an empty path is one line and changes nothing: it would mean the working folder', async (t) => {
  const { site, src } = await siteWithBackups(t, 'as backed up\n', 1)
  await writeFile(join(src, 'a.txt'), 'changed since\n')
  // Run from inside src: `--target ""` used to restore over the working folder.
  const refused: Array<[string[], string]> = [
    [['restore', 'main', 'latest', '--target', ''], '--target'],
    [['backup', 'main', ''], 'a path to back up'],
    [['backup', 'main', src, ''], 'a path to back up']
  ]
  for (const [args, what] of refused) {
    const r = await site.run(args, { cwd: src })
    assert.equal(r.code, 2, args.join(' '))
    assert.equal(r.stderr, `resilien: ${what} is empty: give a path (. for the current folder)\n`)
  }
  const data = await runResilien(['status', '--data', ''])
  assert.deepEqual([data.code, data.stderr], [2, 'resilien: --data is empty: give a path (. for the current folder)\n'])
  const env = await runResilien(['status'], { env: { RESILIEN_DATA: '' } })
  assert.deepEqual([env.code, env.stderr], [2, 'resilien: RESILIEN_DATA is empty: give a path (. for the current folder)\n'])
  assert.equal(await readFile(join(src, 'a.txt'), 'utf8'), 'changed since\n')
  assert.deepEqual(await readdir(src), ['a.txt'])
  const snapshots = await site.run(['snapshots', 'main', '--json'])
  assert.equal((JSON.parse(snapshots.stdout) as unknown[]).length, 1, 'no second snapshot')
})

test('numbers on the command line are decimal digits, and a backup of a command needs a file name: anything else is exit 2 and changes nothing', async (t) => {
  const { site } = await siteWithBackups(t, 'a\n', 2)
  // Number() would read these as 1, 1, 3 and 0.
  const refused: string[][] = [
    ...['0x1', '1e0', ' 3', '', '-1', '1.5'].map((n) => ['forget', 'main', '--keep-last', n, '--dry-run']),
    ['snapshots', 'main', '--latest', '0'],
    ['snapshots', 'main', '--latest', '0x2'],
    ['prune', 'main', '--repack-threshold', '2e-1', '--dry-run'],
    ['prune', 'main', '--repack-threshold', '1.5', '--dry-run'],
    ['repo', 'create', 'other', '--k', '0'],
    ['repo', 'create', 'other', '--m', 'two'],
    ['backup', 'main', '--stdin-from-command', 'echo x'],
    ['backup', 'main', '--stdin-from-command', 'echo x', '--stdin-filename', '../x'],
    ['backup', 'main', '--stdin-from-command', 'echo x', '--stdin-filename', '..']
  ]
  for (const args of refused) {
    const r = await site.run(args)
    assert.equal(r.code, 2, `${JSON.stringify(args)}: ${r.stderr}`)
    assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr)
  }
  const snapshots = await site.run(['snapshots', 'main', '--json'])
  assert.equal((JSON.parse(snapshots.stdout) as unknown[]).length, 2, 'nothing was forgotten or added')
  assert.doesNotMatch((await site.run(['repo', 'list'])).stdout, /other/)
  const kept = await site.run(['forget', 'main', '--keep-last', '01', '--dry-run'])
  assert.equal(kept.code, 0, kept.stderr)
  assert.equal((await site.run(['prune', 'main', '--repack-threshold', '.5', '--dry-run'])).code, 0)
})

test('check --read-data-subset reads a share, a group n/t or a size of the packs; a bad subset is a usage error', async (t) => {
  const site = await newSite(t)
  const work = await tempDir(t)
  await mkdir(join(work, 'src'))
  await writeFile(join(work, 'src', 'a.bin'), randomBytes(6_000_000))
  assert.equal((await site.run(['repo', 'create', 'main'])).code, 0)
  assert.equal((await site.run(['backup', 'main', join(work, 'src')])).code, 0)
  const all = JSON.parse((await site.run(['check', 'main', '--read-data-subset', '100%', '--json'])).stdout) as { ok: boolean, packs: number, shardsRead: number }
  assert.equal(all.ok, true)
  assert.equal(all.shardsRead, all.packs * 3)
  const bad = await site.run(['check', 'main', '--read-data-subset', '0%'])
  assert.equal(bad.code, 2)
  assert.match(bad.stderr, /percentage/)

  // restic's other forms: groups 1/2 and 2/2 read every pack once between them; a size above
  // the repository's reads it all.
  const halves = []
  for (const group of ['1/2', '2/2']) {
    const run = await site.run(['check', 'main', '--read-data-subset', group, '--json'])
    assert.equal(run.code, 0, run.stderr)
    halves.push(JSON.parse(run.stdout) as { ok: boolean, shardsRead: number })
  }
  assert.ok(halves.every((h) => h.ok))
  assert.equal(halves.reduce((n, h) => n + h.shardsRead, 0), all.shardsRead)
  const sized = JSON.parse((await site.run(['check', 'main', '--read-data-subset', '1GiB', '--json'])).stdout) as { shardsRead: number }
  assert.equal(sized.shardsRead, all.shardsRead)
  for (const wrong of ['3/2', '1/0', '12XB']) {
    const refused = await site.run(['check', 'main', '--read-data-subset', wrong])
    assert.equal(refused.code, 2, wrong)
    assert.equal(refused.stderr.trim().split('\n').length, 1, refused.stderr)
    assert.match(refused.stderr, /read-data-subset/)
  }
})

test('a command without a running node says how to start it, and init refuses a used folder', async (t) => {
  const work = await tempDir(t)
  const dir = join(work, 'data')
  const init = await runResilien(['init', '--data', dir, '--name', 'x', '--listen', '/ip4/127.0.0.1/tcp/0'])
  assert.equal(init.code, 0, init.stderr)
  const status = await runResilien(['status', '--data', dir])
  assert.equal(status.code, 1)
  assert.match(status.stderr, /no resilien node is running.*resilien start/)
  const again = await runResilien(['init', '--data', dir, '--name', 'y', '--listen', '/ip4/127.0.0.1/tcp/0'])
  assert.equal(again.code, 1)
  assert.match(again.stderr, /not empty/)
  const usage = await runResilien(['backup'])
  assert.equal(usage.code, 2)
  // A command three deep is a usage error the same way.
  const nested = await runResilien(['repo', 'key', 'remove', 'main'])
  assert.equal(nested.code, 2)
  assert.match(nested.stderr, /missing required argument 'key-id'/)
})

test('a bad listen or announce address is one line at init and at start, and init writes nothing', async (t) => {
  const work = await tempDir(t)
  const cases: Array<[string[], RegExp]> = [
    [['--listen', '/ip4/999.0.0.1/tcp/0'], /^resilien: --listen: \/ip4\/999\.0\.0\.1\/tcp\/0 is not a multiaddr \(Invalid IPv4 address "999\.0\.0\.1"\)$/],
    [['--listen', '/ip4/127.0.0.1/udp/5'], /^resilien: --listen: \/ip4\/127\.0\.0\.1\/udp\/5 is not an address to listen on: use \/ip4\/ADDRESS\/tcp\/PORT/],
    [['--listen', '/dns4/example.org/tcp/7420'], /is not an address to listen on/],
    [['--listen', '/ip4/127.0.0.1/tcp/0', '--announce', '/ip4/127.0.0.1/tcp/99999'], /^resilien: --announce: \/ip4\/127\.0\.0\.1\/tcp\/99999 is not a multiaddr/]
  ]
  for (const [i, [options, message]] of cases.entries()) {
    const dir = join(work, `bad-${i}`)
    const r = await runResilien(['init', '--data', dir, '--name', 'x', ...options])
    assert.equal(r.code, 1, options.join(' '))
    assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr)
    assert.match(r.stderr.trim(), message)
    assert.deepEqual(await readdir(dir).catch(() => []), [], 'nothing written')
  }
  // An address this machine does not have (TEST-NET-2, never local): start says so in one line.
  const dir = join(work, 'elsewhere')
  assert.equal((await runResilien(['init', '--data', dir, '--name', 'x', '--listen', '/ip4/198.51.100.7/tcp/0'])).code, 0)
  const start = await runResilien(['start', '--data', dir], { timeoutMs: 30_000 })
  assert.equal(start.code, 1)
  assert.deepEqual(start.stderr.trim().split('\n'), ['resilien: cannot listen on /ip4/198.51.100.7/tcp/0: listen EADDRNOTAVAIL: address not available 198.51.100.7'])
  const fromEnv = await runResilien(['start', '--data', dir], { timeoutMs: 30_000, env: { RESILIEN_LISTEN: '/ip4/300.1.1.1/tcp/1' } })
  assert.equal(fromEnv.code, 1)
  assert.deepEqual(fromEnv.stderr.trim().split('\n'), ['resilien: RESILIEN_LISTEN (overriding "listen" of config.json) must be a list of multiaddrs such as /ip4/0.0.0.0/tcp/7420'])
})

test('the resilien command starts its node with the memory settings of its #! line', { skip: process.platform !== 'linux' && 'reads /proc' }, async (t) => {
  const site = await newSite(t, 'alpha')
  const pid = site.pid
  assert.ok(pid !== undefined)
  const environ = (await readFile(`/proc/${pid}/environ`, 'utf8')).split('\0')
  assert.ok(environ.includes('MALLOC_ARENA_MAX=2'), 'one malloc arena per thread would keep what each thread freed')
  assert.ok(environ.includes('MALLOC_MMAP_THRESHOLD_=131072'))
  const argv = (await readFile(`/proc/${pid}/cmdline`, 'utf8')).split('\0')
  assert.ok(argv.includes('--max-semi-space-size=2'), argv.join(' '))
  assert.ok(argv.includes('--expose-gc'), 'dropped shards are collected every few megabytes')
  assert.ok(argv.includes('--heap-growing-percent=100'), 'V8 own growth factor swings between too many full collections and four times the live heap')
  assert.ok(argv.includes('start'))
})

test('a reader that stops early (ls | head) ends the command quietly, with no stack trace', async (t) => {
  const site = await newSite(t)
  const work = await tempDir(t)
  const src = join(work, 'src')
  await mkdir(src)
  // Enough entries that ls still writes after head is gone (more than a pipe's 64 KiB).
  for (let i = 0; i < 1500; i++) await writeFile(join(src, `file-with-a-longish-name-${i}.txt`), `${i}\n`)
  assert.equal((await site.run(['repo', 'create', 'main'])).code, 0)
  assert.equal((await site.run(['backup', 'main', src])).code, 0)
  const piped = spawnSync('sh', ['-c', `"$0" ls main latest --json --data "$1" | head -n 1`, RESILIEN_BIN, site.dataDir], { env: resilienEnv(TEST_ENV), encoding: 'utf8', timeout: 60_000 })
  assert.equal(piped.stdout.trim().split('\n').length, 1)
  assert.match(piped.stdout, /^\{"path":/)
  assert.doesNotMatch(piped.stderr, /EPIPE|Unhandled|at /, piped.stderr)
  const still = await site.run(['snapshots', 'main', '--json'])
  assert.equal(still.code, 0, 'the node is unaffected')
})

test('resilien version and --version print the version npm installed, without a node', async () => {
  const { version } = JSON.parse(await readFile(new URL('../../../cli/package.json', import.meta.url), 'utf8')) as { version: string }
  const flag = await runResilien(['--version'])
  assert.equal(flag.code, 0, flag.stderr)
  assert.equal(flag.stdout.trim(), version)
  const command = await runResilien(['version'])
  assert.equal(command.code, 0, command.stderr)
  assert.equal(command.stdout.trim(), `resilien ${version} (Node.js ${process.version}, ${process.platform}/${process.arch})`)
  const json = JSON.parse((await runResilien(['version', '--json'])).stdout) as { version: string, node: string }
  assert.deepEqual([json.version, json.node], [version, process.version])
})
