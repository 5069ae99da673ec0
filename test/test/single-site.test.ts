import { test } from 'node:test'
import assert from 'node:assert/strict'
import { execFileSync, spawn, spawnSync } from 'node:child_process'
import { appendFile, chmod, readFile, readdir, rename, rm, stat, symlink, utimes, writeFile, open, mkdir } from 'node:fs/promises'
import { createServer } from 'node:net'
import { join } from 'node:path'
import { randomBytes } from 'node:crypto'
import { buildFixtureTree, compareTrees, newSite, NON_UTF8_NAME, RESILIEN_BIN, resilienEnv, tempDir, TEST_ENV } from '../src/index.js'
import type { Site } from '../src/index.js'

async function createRepo (site: Site, name = 'main'): Promise<void> {
  const r = await site.run(['repo', 'create', name])
  assert.equal(r.code, 0, r.stderr)
}

async function backupJson (site: Site, args: string[]): Promise<{ id: string, stats: { unchangedFiles: number, files: number, newChunks: number, newBytes: number } }> {
  const r = await site.run(['backup', 'main', ...args, '--json'])
  assert.equal(r.code, 0, r.stderr)
  return JSON.parse(r.stdout) as { id: string, stats: { unchangedFiles: number, files: number, newChunks: number, newBytes: number } }
}

/** A site with repository main, and a folder src holding one file x ("x"). */
async function siteWithOneFile (t: Parameters<typeof newSite>[0]): Promise<{ site: Site, work: string, src: string }> {
  const site = await newSite(t)
  const work = await tempDir(t)
  await createRepo(site)
  const src = join(work, 'src')
  await mkdir(src)
  await writeFile(join(src, 'x'), 'x')
  return { site, work, src }
}

async function restoreAndCompare (site: Site, snapshot: string, source: string, work: string): Promise<void> {
  const target = join(work, `restore-${snapshot.slice(0, 8)}-${Math.random().toString(36).slice(2, 8)}`)
  const r = await site.run(['restore', 'main', snapshot, '--target', target])
  assert.equal(r.code, 0, r.stderr)
  assert.deepEqual(await compareTrees(source, join(target, source)), [])
}

test('a tree with every kind of file is restored byte for byte with its metadata', async (t) => {
  const site = await newSite(t)
  const work = await tempDir(t)
  const src = join(work, 'src')
  await buildFixtureTree(src)
  await createRepo(site)
  const first = await backupJson(site, [src])
  assert.match(first.id, /^[0-9a-f]{32}$/)
  await restoreAndCompare(site, 'latest', src, work)

  // The sparse file comes back sparse: far fewer blocks than its length.
  const target = join(work, 'sparse-check')
  assert.equal((await site.run(['restore', 'main', first.id.slice(0, 8), '--target', target, '--include', join(src, 'sparse.img')])).code, 0)
  const st = await stat(join(target, src, 'sparse.img'))
  assert.equal(st.size, 8 * 1024 * 1024)
  assert.ok(st.blocks * 512 < 1024 * 1024, `sparse file takes ${st.blocks * 512} bytes on disk`)
  // --include restored only that file.
  assert.deepEqual((await readdir(join(target, src))).sort(), ['sparse.img'])
  // --verify reads every restored file back against the snapshot: all of them, all their bytes.
  const verified = await site.run(['restore', 'main', 'latest', '--target', join(work, 'verified'), '--verify', '--json'])
  assert.equal(verified.code, 0, verified.stderr)
  const v = JSON.parse(verified.stdout) as { files: number, bytes: number, verified: { files: number, bytes: number }, warnings: string[] }
  assert.deepEqual([v.verified, v.warnings], [{ files: v.files, bytes: v.bytes }, []])
  assert.deepEqual(await compareTrees(src, join(work, 'verified', src)), [])

  const snapshots = await site.run(['snapshots', 'main', '--json'])
  const list = JSON.parse(snapshots.stdout) as Array<{ id: string, paths: string[], degraded: boolean }>
  assert.equal(list.length, 1)
  assert.deepEqual(list[0]?.paths, [src])
  assert.equal(list[0]?.degraded, true, 'one site: the snapshot does not survive the loss of the site')
  assert.match(snapshots.stderr, /single site/)

  const ls = await site.run(['ls', 'main', 'latest', join(src, 'docs'), '--json'])
  assert.equal(ls.code, 0, ls.stderr)
  const paths = ls.stdout.trim().split('\n').map((l) => (JSON.parse(l) as { path: string }).path)
  assert.ok(paths.includes(join(src, 'docs', 'deep', 'deeper', 'random.bin')))
  // The long listing shows set-id and sticky bits as ls -l does.
  const long = await site.run(['ls', 'main', 'latest', src])
  assert.equal(long.code, 0, long.stderr)
  assert.match(long.stdout, new RegExp(`^drwxrwxrwt .* ${join(src, 'shared')}$`, 'm'))
  assert.match(long.stdout, new RegExp(`^-rwsr-sr-x .* ${join(src, 'setid.sh')}$`, 'm'))
})

test('files whose 4 KiB blocks end in zeros (database pages) are restored byte for byte', async (t) => {
  const site = await newSite(t)
  const work = await tempDir(t)
  await createRepo(site)
  const src = join(work, 'src')
  await mkdir(src)
  // Each block ends in 64 zero bytes: about one chunk boundary in a hundred falls in such a run,
  // and the restore used to join the chunk after it to the one before, closing up the hole (a
  // dozen such boundaries in these 48 MiB: each file had its own chance to come back shifted).
  for (let f = 0; f < 6; f++) {
    const bytes = randomBytes(8 * 1024 * 1024)
    for (let block = 4096; block <= bytes.length; block += 4096) bytes.fill(0, block - 64, block)
    await writeFile(join(src, `pages${f}.bin`), bytes)
  }
  const snapshot = await backupJson(site, [src])
  await restoreAndCompare(site, snapshot.id, src, work)
})

test('incremental backups after edits, renames and deletes restore each state', async (t) => {
  const site = await newSite(t)
  const work = await tempDir(t)
  const src = join(work, 'src')
  await mkdir(join(src, 'a'), { recursive: true })
  for (let i = 0; i < 20; i++) await writeFile(join(src, 'a', `f${i}.bin`), randomBytes(50_000 + i))
  await writeFile(join(src, 'big.bin'), randomBytes(2_000_000))
  await createRepo(site)
  const first = await backupJson(site, [src])
  await restoreAndCompare(site, first.id, src, work)

  const unchanged = await backupJson(site, [src])
  assert.equal(unchanged.stats.unchangedFiles, 21, 'an unchanged tree is not read again')
  // Only tree blobs can be new (the folders above src change as other tests run); no file data.
  assert.ok(unchanged.stats.newBytes < 20_000, `unchanged tree added ${unchanged.stats.newBytes} bytes`)

  await appendFile(join(src, 'a', 'f1.bin'), 'edited')
  await rename(join(src, 'a', 'f2.bin'), join(src, 'renamed.bin'))
  await rm(join(src, 'a', 'f3.bin'))
  const f = await open(join(src, 'big.bin'), 'r+')
  await f.write(Buffer.from('X'), 0, 1, 1_000_000)
  await f.close()
  const second = await backupJson(site, [src])
  assert.ok(second.stats.newChunks > 0 && second.stats.newChunks < 10, `only the edited parts are new (${second.stats.newChunks} chunks)`)
  await restoreAndCompare(site, second.id, src, work)
  // The first snapshot still restores as it was.
  const old = join(work, 'old')
  assert.equal((await site.run(['restore', 'main', first.id, '--target', old])).code, 0)
  assert.ok((await stat(join(old, src, 'a', 'f3.bin'))).isFile())
  await assert.rejects(stat(join(old, src, 'renamed.bin')))
})

test('check --read-data reports exactly the shard whose byte was flipped', async (t) => {
  const site = await newSite(t)
  const work = await tempDir(t)
  const src = join(work, 'src')
  await mkdir(src)
  await writeFile(join(src, 'data.bin'), randomBytes(3_000_000))
  await createRepo(site)
  await backupJson(site, [src])
  assert.equal((await site.run(['check', 'main', '--read-data'])).code, 0)

  const shardsDir = join(site.dataDir, 'store', 'shards')
  const files: string[] = []
  for (const fan of await readdir(shardsDir)) for (const f of await readdir(join(shardsDir, fan))) files.push(join(shardsDir, fan, f))
  files.sort()
  const victim = files[0] as string
  const h = await open(victim, 'r+')
  const b = Buffer.alloc(1)
  await h.read(b, 0, 1, 10)
  b[0] = (b[0] as number) ^ 0x01
  await h.write(b, 0, 1, 10)
  await h.close()
  const id = victim.split('/').pop() as string

  const check = await site.run(['check', 'main', '--read-data', '--json'])
  assert.equal(check.code, 1)
  const report = JSON.parse(check.stdout) as { ok: boolean, problems: Array<{ kind: string, id: string, message: string }> }
  assert.equal(report.ok, false)
  const corrupt = report.problems.filter((p) => p.kind === 'corrupt-shard')
  assert.deepEqual(corrupt.map((p) => p.id), [id])
  // The site by its name, not its peer id.
  assert.match(corrupt[0]?.message ?? '', new RegExp(`^shard ${id} of pack [0-9a-f]+ on site site1 is corrupt$`))
  // Without the key too, any site can find it.
  const keyless = JSON.parse((await site.run(['check', '--read-data', '--json'])).stdout) as { problems: Array<{ kind: string, id: string }> }
  assert.deepEqual(keyless.problems.map((p) => [p.kind, p.id]), [['corrupt-shard', id]])
  // The data still restores from the other shards.
  await restoreAndCompare(site, 'latest', src, work)
})

test('a restore that meets an unreadable pack restores everything else, with the folders\' metadata, and names each file it could not', async (t) => {
  const site = await newSite(t)
  const work = await tempDir(t)
  const src = join(work, 'src')
  await mkdir(join(src, 'sub'), { recursive: true })
  await writeFile(join(src, 'seed.txt'), 'seed\n')
  for (let i = 1; i <= 3; i++) await writeFile(join(src, 'sub', `z${i}.bin`), randomBytes(100_000))
  await chmod(join(src, 'sub'), 0o750)
  await createRepo(site)
  await backupJson(site, [src])
  const shardsDir = join(site.dataDir, 'store', 'shards')
  const shardFiles = async (): Promise<string[]> => {
    const files: string[] = []
    for (const fan of await readdir(shardsDir)) for (const f of await readdir(join(shardsDir, fan))) files.push(join(shardsDir, fan, f))
    return files
  }
  const before = new Set(await shardFiles())
  await writeFile(join(src, 'a-big.bin'), randomBytes(3_000_000))
  await backupJson(site, [src])
  const damage = async (file: string): Promise<void> => {
    const h = await open(file, 'r+')
    await h.write(Buffer.from('XXXX'), 0, 4, 100)
    await h.close()
  }
  // Every shard of the big file's pack (the new ones of over a megabyte) damaged: more than its parity mends.
  for (const file of await shardFiles()) if (!before.has(file) && (await stat(file)).size >= 1_000_000) await damage(file)
  const target = join(work, 'restore')
  const r = await site.run(['restore', 'main', 'latest', '--target', target])
  assert.equal(r.code, 3, r.stderr)
  assert.match(r.stderr, new RegExp(`^warning: ${join(target, src, 'a-big.bin')}: not restored: .*pack [0-9a-f]+.*$`, 'm'))
  assert.deepEqual(await compareTrees(src, join(target, src)), [{ path: '/a-big.bin', what: 'missing' }])
  // With every data pack damaged (tree packs are the small shards), no pack can be read: that is
  // not a damaged file but a repository out of reach, and the restore fails with one line.
  for (const file of before) if ((await stat(file)).size >= 30_000) await damage(file)
  const none = await site.run(['restore', 'main', 'latest', '--target', join(work, 'none')])
  assert.equal(none.code, 1, none.stderr)
  assert.match(none.stderr, /^resilien: pack [0-9a-f]+: needed \d+ good shards, got \d+\n$/)
})

test('bad input gets one clear line and changes nothing', async (t) => {
  const { site, work, src } = await siteWithOneFile(t)
  await backupJson(site, [src])

  const wrong = await site.run(['snapshots', 'main'], { env: { RESILIEN_PASSWORD: 'wrong' } })
  assert.equal(wrong.code, 1)
  assert.match(wrong.stderr, /^resilien: wrong passphrase/)
  assert.equal(wrong.stderr.trim().split('\n').length, 1)

  const unknown = await site.run(['restore', 'main', 'deadbeef', '--target', join(work, 'r')])
  assert.equal(unknown.code, 1)
  assert.match(unknown.stderr, /no snapshot "deadbeef"/)
  assert.equal(unknown.stderr.trim().split('\n').length, 1)
  await assert.rejects(stat(join(work, 'r')), 'the target of a failed restore is not created')

  const typo = await site.run(['restore', 'main', 'latest', '--target', join(work, 'r'), '--include', join(src, 'nope')])
  assert.equal(typo.code, 3, 'a restore that matched nothing ends with warnings')
  assert.match(typo.stderr, /nothing in snapshot \w+ matches the include paths/)
  assert.match(typo.stdout, /^restored nothing from snapshot \w+$/m)
  assert.doesNotMatch(typo.stdout, /to \//, 'no line names a target that was not made')
  await assert.rejects(stat(join(work, 'r')), 'an include that matches nothing leaves the target uncreated')

  // Under /proc mkdir answers ENOENT below a folder that exists: one line, no hang.
  const procTarget = await site.run(['restore', 'main', 'latest', '--target', '/proc/resilien-no-such-folder/r'])
  assert.equal(procTarget.code, 1)
  assert.match(procTarget.stderr, /^resilien: cannot make the target folder \/proc\/resilien-no-such-folder\/r: mkdir \/proc\/resilien-no-such-folder failed \(ENOENT: no such file or directory\)$/m)
  assert.equal(procTarget.stderr.trim().split('\n').length, 1)
  const fileTarget = await site.run(['restore', 'main', 'latest', '--target', join(src, 'x')])
  assert.equal(fileTarget.code, 1)
  assert.match(fileTarget.stderr, /x is not a folder/)
  assert.equal(await readFile(join(src, 'x'), 'utf8'), 'x', 'the file is left as it was')

  const missing = await site.run(['backup', 'main', join(work, 'does-not-exist')])
  assert.equal(missing.code, 1)
  assert.match(missing.stderr, /does-not-exist does not exist/)
  // Every path excluded: one line, and no empty snapshot that `forget --keep-last` would keep.
  const allExcluded = await site.run(['backup', 'main', src, '--exclude', src])
  assert.equal(allExcluded.code, 1)
  assert.match(allExcluded.stderr, /nothing to back up: the excludes match every path given/)
  assert.equal(allExcluded.stderr.trim().split('\n').length, 1)
  const list = JSON.parse((await site.run(['snapshots', 'main', '--json'])).stdout) as unknown[]
  assert.equal(list.length, 1, 'no snapshot was added')

  const noRepo = await site.run(['snapshots', 'nope'])
  assert.equal(noRepo.code, 1)
  assert.match(noRepo.stderr, /no repository "nope"/)

  const dup = await site.run(['repo', 'create', 'main'])
  assert.equal(dup.code, 1)
  assert.match(dup.stderr, /exists already/)

  // A second node on the same data dir: said as such, not as a LevelDB lock on a file.
  const second = await site.run(['start'], { timeoutMs: 30_000 })
  assert.equal(second.code, 1)
  assert.deepEqual(second.stderr.trim().split('\n'), [`resilien: a node is already running for ${site.dataDir} (it answers on ${join(site.dataDir, 'control.sock')}): stop it first, or talk to it with \`resilien status --data ${site.dataDir}\``])
  const still = await site.run(['snapshots', 'main', '--json'])
  assert.equal(still.code, 0, 'the running node still answers')
})

test('a command\'s output is stored as a file, and a failing command commits nothing', async (t) => {
  const site = await newSite(t)
  const work = await tempDir(t)
  await createRepo(site)
  const ok = await site.run(['backup', 'main', '--stdin-from-command', 'seq 1 100000', '--stdin-filename', 'numbers.txt', '--json'])
  assert.equal(ok.code, 0, ok.stderr)
  const target = join(work, 'out')
  assert.equal((await site.run(['restore', 'main', 'latest', '--target', target])).code, 0)
  const restored = await readdir(target)
  assert.deepEqual(restored, ['numbers.txt'])
  assert.equal(await readFile(join(target, 'numbers.txt'), 'utf8'), execFileSync('seq', ['1', '100000']).toString())

  const bad = await site.run(['backup', 'main', '--stdin-from-command', 'echo partial; exit 3', '--stdin-filename', 'dump.sql'])
  assert.equal(bad.code, 1)
  assert.match(bad.stderr, /failed \(exit code 3\); nothing was committed/)

  /** A backup of `command`'s output, sent SIGINT after `afterMs`: its exit code and its lines of its own. */
  const interruptedBackup = async (command: string, afterMs: number): Promise<{ code: number | null, lines: string[] }> => {
    const child = spawn(RESILIEN_BIN, ['backup', 'main', '--stdin-from-command', command, '--stdin-filename', 'out.bin', '--data', site.dataDir], { env: resilienEnv(TEST_ENV) })
    let stderr = ''
    child.stderr.on('data', (d: Buffer) => { stderr += d.toString() })
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => { resolve(code) }))
    await new Promise((resolve) => setTimeout(resolve, afterMs))
    child.kill('SIGINT')
    // Plain progress lines ('backup: ...') may come first; the command's own lines start with its name.
    return { code: await exited, lines: stderr.trim().split('\n').filter((l) => l.startsWith('resilien:')) }
  }
  const interruptedLine = ['resilien: interrupted; nothing was committed']
  // Ctrl-C while the command still runs: exit 130 and one line, and the node drops the backup.
  assert.deepEqual(await interruptedBackup('echo started; sleep 61.25', 1500), { code: 130, lines: interruptedLine })
  // What the command started (sleep, a child of sh) is stopped too, not only sh.
  const lingering = (): boolean => spawnSync('pgrep', ['-f', 'sleep 61.25']).status === 0
  for (let i = 0; i < 50 && lingering(); i++) await new Promise((resolve) => setTimeout(resolve, 100))
  assert.equal(lingering(), false, 'the command\'s children are gone')
  const list = JSON.parse((await site.run(['snapshots', 'main', '--json'])).stdout) as unknown[]
  assert.equal(list.length, 1)
  // Ctrl-C once the node has begun to answer (its progress flows while 30 MB are stored): the same.
  assert.deepEqual(await interruptedBackup('head -c 30000000 /dev/urandom; sleep 61.5', 4000), { code: 130, lines: interruptedLine })
  assert.equal((JSON.parse((await site.run(['snapshots', 'main', '--json'])).stdout) as unknown[]).length, 1)
})

test('backup -x keeps a mount point below the path as an empty folder; --exclude-file reads patterns, and a missing one is one line; restore --exclude', async (t) => {
  if (process.getuid?.() !== 0) throw new Error('this test mounts a tmpfs: run it as root')
  const site = await newSite(t)
  const work = await tempDir(t)
  await createRepo(site)
  const src = join(work, 'src')
  const mnt = join(src, 'external')
  await mkdir(join(src, 'cache'), { recursive: true })
  await mkdir(mnt)
  await writeFile(join(src, 'keep.txt'), 'keep')
  await writeFile(join(src, 'cache', 'thumb.tmp'), 'tmp')
  await writeFile(join(src, 'notes.bak'), 'bak')
  // A tmpfs in the tree, as Nextcloud's external storage or a network share would be; unmounted
  // before the work folder goes (hooks run in order, and tempDir registered its removal first).
  execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=4m', 'tmpfs', mnt])
  const unmount = (): void => { spawnSync('umount', ['-l', mnt]) }
  t.after(unmount)
  await writeFile(join(mnt, 'share.txt'), 'on another file system')
  const patterns = join(work, 'excludes')
  await writeFile(patterns, '# caches and backups\n\ncache\n  *.bak  \n')

  const one = await backupJson(site, [src, '-x', '--exclude-file', patterns])
  assert.equal(one.stats.files, 1, 'keep.txt only: not the excluded ones, nothing on the tmpfs')
  const ls = await site.run(['ls', 'main', one.id, src])
  assert.equal(ls.code, 0, ls.stderr)
  assert.match(ls.stdout, /external/, 'the mount point is in the snapshot')
  assert.doesNotMatch(ls.stdout, /share\.txt|thumb\.tmp|notes\.bak/)
  const target = join(work, 'restored')
  assert.equal((await site.run(['restore', 'main', one.id, '--target', target])).code, 0)
  assert.deepEqual(await readdir(join(target, mnt)), [], 'restored as an empty folder')
  assert.equal(await readFile(join(target, src, 'keep.txt'), 'utf8'), 'keep')

  const all = await backupJson(site, [src])
  assert.equal(all.stats.files, 4, 'without -x and the excludes every file is read')

  // restore --exclude leaves out what matches, below the paths it names too.
  const partial = join(work, 'partial')
  const some = await site.run(['restore', 'main', all.id, '--target', partial, '--exclude', '*.tmp', '--exclude', mnt])
  assert.equal(some.code, 0, some.stderr)
  assert.equal(await readFile(join(partial, src, 'notes.bak'), 'utf8'), 'bak')
  assert.ok((await stat(join(partial, src, 'cache'))).isDirectory())
  await assert.rejects(stat(join(partial, src, 'cache', 'thumb.tmp')), 'a file that matches is not restored')
  await assert.rejects(stat(join(partial, mnt)), 'nor a folder that matches, with what is in it')
  const badPattern = await site.run(['restore', 'main', all.id, '--target', join(work, 'never'), '--exclude', '[abc'])
  assert.equal(badPattern.code, 1)
  assert.deepEqual(badPattern.stderr.trim().split('\n'), ['resilien: "[abc" has a [ without its ]'])
  await assert.rejects(stat(join(work, 'never')), 'a bad pattern creates nothing')

  const missing = await site.run(['backup', 'main', src, '--exclude-file', join(work, 'no-such-file')])
  assert.equal(missing.code, 2)
  assert.deepEqual(missing.stderr.trim().split('\n'), [`resilien: cannot read the exclude file ${join(work, 'no-such-file')}: no such file`])
  const list = JSON.parse((await site.run(['snapshots', 'main', '--json'])).stdout) as unknown[]
  assert.equal(list.length, 2, 'nothing was committed')
  unmount()
})

test('repo key add, list and remove: a second passphrase opens the repository until its slot is removed', async (t) => {
  const { site, work, src } = await siteWithOneFile(t)
  const added = await site.run(['repo', 'key', 'add', 'main', '--json'], { env: { RESILIEN_NEW_PASSWORD: 'the second passphrase' } })
  assert.equal(added.code, 0, added.stderr)
  const { keyId, keys } = JSON.parse(added.stdout) as { keyId: string, keys: Array<{ keyId: string, current: boolean }> }
  assert.equal(keys.length, 2)
  const original = keys.find((k) => k.current)?.keyId as string
  const second = { env: { RESILIEN_PASSWORD: 'the second passphrase' } }
  // (--no-scan: a backup without the count of files first, restic's option, works the same.)
  const backup = await site.run(['backup', 'main', src, '--no-scan'], second)
  assert.equal(backup.code, 0, backup.stderr)
  const list = await site.run(['repo', 'key', 'list', 'main'], second)
  assert.equal(list.code, 0, list.stderr)
  assert.deepEqual(list.stdout.trimEnd().split('\n').sort(), [`* ${keyId}`, `  ${original}`].sort())

  const own = await site.run(['repo', 'key', 'remove', 'main', keyId], second)
  assert.equal(own.code, 1)
  assert.deepEqual(own.stderr.trim().split('\n'), [`resilien: key slot ${keyId} is the one the passphrase given opens: remove it with another passphrase`])
  const wrongFile = await site.run(['repo', 'key', 'add', 'main', '--new-password-file', join(work, 'none')])
  assert.equal(wrongFile.code, 2)
  assert.equal(wrongFile.stderr.trim().split('\n').length, 1)

  // The original passphrase is retired with the second one; it opens nothing any more.
  const removed = await site.run(['repo', 'key', 'remove', 'main', original.slice(0, 8)], second)
  assert.equal(removed.code, 0, removed.stderr)
  assert.match(removed.stdout, new RegExp(`key slot ${original} removed; 1 left`))
  const old = await site.run(['snapshots', 'main'])
  assert.equal(old.code, 1)
  assert.match(old.stderr, /^resilien: wrong passphrase/)
  const snapshots = await site.run(['snapshots', 'main', '--json'], second)
  assert.equal(snapshots.code, 0, snapshots.stderr)
  assert.equal((JSON.parse(snapshots.stdout) as unknown[]).length, 1)
})

test('diff lists what changed between two snapshots with restic\'s letters, and the totals', async (t) => {
  const site = await newSite(t)
  const work = await tempDir(t)
  await createRepo(site)
  const src = join(work, 'src')
  await mkdir(join(src, 'a', 'b'), { recursive: true })
  await mkdir(join(src, 'gone'))
  await writeFile(join(src, 'a', 'edited.txt'), 'one')
  await writeFile(join(src, 'a', 'b', 'chmod.txt'), 'same')
  await writeFile(join(src, 'a', 'same.txt'), 'same')
  await writeFile(join(src, 'a', 'was-a-file'), 'x')
  await writeFile(join(src, 'gone', 'old.txt'), 'old!')
  const before = await backupJson(site, [src])
  await writeFile(join(src, 'a', 'edited.txt'), 'two, longer')
  await chmod(join(src, 'a', 'b', 'chmod.txt'), 0o600)
  await rm(join(src, 'gone'), { recursive: true })
  await rm(join(src, 'a', 'was-a-file'))
  await mkdir(join(src, 'a', 'was-a-file'))
  await mkdir(join(src, 'new'))
  await writeFile(join(src, 'new', 'n.txt'), 'new')
  const after = await backupJson(site, [src])

  const text = await site.run(['diff', 'main', before.id.slice(0, 8), 'latest'])
  assert.equal(text.code, 0, text.stderr)
  // Folders whose files changed have a new mtime (U .../): left out here, the rest is exact.
  const lines = text.stdout.split('\n').filter((l) => /^[-+MUT] /.test(l) && !(l.startsWith('U') && l.endsWith('/')))
  assert.deepEqual(lines, [
    `U    ${join(src, 'a', 'b', 'chmod.txt')}`,
    `M    ${join(src, 'a', 'edited.txt')}`,
    `T    ${join(src, 'a', 'was-a-file')}/`,
    `-    ${join(src, 'gone')}/`,
    `-    ${join(src, 'gone', 'old.txt')}`,
    `+    ${join(src, 'new')}/`,
    `+    ${join(src, 'new', 'n.txt')}`
  ])
  assert.ok(!text.stdout.includes('same.txt'), 'unchanged files are not listed')
  const json = await site.run(['diff', 'main', before.id, after.id, '--json'])
  assert.equal(json.code, 0, json.stderr)
  const last = JSON.parse(json.stdout.trim().split('\n').at(-1) as string) as { messageType: string, added: number, removed: number, changed: number, typeChanged: number, addedBytes: number, removedBytes: number }
  assert.equal(last.messageType, 'statistics')
  assert.deepEqual({ added: last.added, removed: last.removed, changed: last.changed, typeChanged: last.typeChanged, addedBytes: last.addedBytes, removedBytes: last.removedBytes },
    { added: 2, removed: 2, changed: 1, typeChanged: 1, addedBytes: 3, removedBytes: 4 })
  const same = await site.run(['diff', 'main', after.id, after.id])
  assert.equal(same.code, 0)
  assert.match(same.stdout, /0 added .* 0 removed .* 0 changed, 0 with new metadata only, 0 of another type/)
  const unknown = await site.run(['diff', 'main', before.id, 'abcdef12'])
  assert.equal(unknown.code, 1)
  assert.deepEqual(unknown.stderr.trim().split('\n'), ['resilien: no snapshot "abcdef12" in repository "main"'])
})

test('find lists the entries whose path matches, snapshot by snapshot, newest first', async (t) => {
  const { site, src } = await siteWithOneFile(t)
  await mkdir(join(src, 'docs'))
  await writeFile(join(src, 'docs', 'report.docx'), 'v1')
  await writeFile(join(src, 'docs', 'notes.txt'), 'n')
  const first = await backupJson(site, [src])
  await rm(join(src, 'docs', 'report.docx'))
  const second = await backupJson(site, [src])

  const all = await site.run(['find', 'main', '*.docx', '--json'])
  assert.equal(all.code, 0, all.stderr)
  const found = all.stdout.trim().split('\n').map((l) => JSON.parse(l) as { snapshot: string, path: string, type: string, size: number })
  assert.deepEqual(found.map((f) => [f.snapshot, f.path, f.size]), [[first.id, join(src, 'docs', 'report.docx'), 2]], 'only the snapshot that still has it')
  const folder = await site.run(['find', 'main', join(src, 'docs')])
  assert.equal(folder.code, 0, folder.stderr)
  assert.deepEqual(folder.stdout.trim().split('\n').map((l) => l.slice(0, 8)), [second.id.slice(0, 8), first.id.slice(0, 8)], 'the folder itself, not what is in it, newest first')
  assert.match(folder.stderr, /2 matches in 2 snapshots/)
  const one = await site.run(['find', 'main', 'notes.txt', '--snapshot', first.id.slice(0, 8)])
  assert.equal(one.code, 0, one.stderr)
  assert.equal(one.stdout.trim().split('\n').length, 1)
  const bad = await site.run(['find', 'main', '[abc'])
  assert.equal(bad.code, 1)
  assert.deepEqual(bad.stderr.trim().split('\n'), ['resilien: "[abc" has a [ without its ]'])
})

/** `resilien dump` with its standard output kept as bytes (runResilien decodes it as text). */
async function dumpBytes (site: Site, args: readonly string[]): Promise<{ code: number, bytes: Buffer, stderr: string }> {
  const child = spawn(RESILIEN_BIN, ['dump', 'main', ...args, '--data', site.dataDir], { env: resilienEnv(TEST_ENV), stdio: ['ignore', 'pipe', 'pipe'] })
  const out: Buffer[] = []
  let stderr = ''
  child.stdout.on('data', (d: Buffer) => out.push(d))
  child.stderr.on('data', (d: Buffer) => { stderr += d.toString() })
  const code = await new Promise<number>((resolve) => child.once('close', (c) => resolve(c ?? -1)))
  return { code, bytes: Buffer.concat(out), stderr }
}

/** A shell command line's exit code and standard error (bash, pipefail: a pipeline fails if any part does). */
function bash (line: string): { code: number, stderr: string } {
  const r = spawnSync('bash', ['-c', `set -o pipefail; ${line}`], { env: resilienEnv(TEST_ENV), encoding: 'utf8' })
  return { code: r.status ?? -1, stderr: r.stderr }
}

test('dump writes one file to standard output byte for byte; a symlink, a missing path, zip, --json and a terminal get one line each', async (t) => {
  const site = await newSite(t)
  const work = await tempDir(t)
  const src = join(work, 'src')
  await buildFixtureTree(src)
  await createRepo(site)
  await backupJson(site, [src])
  // Several chunks; zero runs of a sparse file; no chunk at all; text.
  for (const name of ['docs/deep/deeper/random.bin', 'sparse.img', 'empty.txt', 'docs/readme.txt']) {
    const r = await dumpBytes(site, ['latest', join(src, name)])
    assert.equal(r.code, 0, r.stderr)
    assert.ok(r.bytes.equals(await readFile(join(src, name))), `${name} came out as it went in`)
  }
  const refusals: Array<[args: string[], code: number, line: RegExp]> = [
    [['latest', join(src, 'link-relative')], 1, /is a symlink, not a file/],
    [['latest', join(src, 'pipe')], 1, /is a fifo, not a file/],
    [['latest', join(src, 'nope.txt')], 1, /is not in the snapshot/],
    [['latest', join(src, 'docs'), '--archive', 'zip'], 2, /--archive zip: only tar is supported/],
    [['0000000000', join(src, 'empty.txt')], 1, /no snapshot/],
    [['latest', join(src, 'empty.txt'), '--json'], 2, /--json does not apply/]
  ]
  for (const [args, code, line] of refusals) {
    const r = await dumpBytes(site, args)
    assert.equal(r.code, code, `${args.join(' ')}: ${r.stderr}`)
    assert.match(r.stderr, line)
    assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr)
    assert.equal(r.bytes.byteLength, 0, 'nothing on standard output')
  }
  // A terminal (script gives the command one) would be flooded with binary: refused.
  const cmd = `${RESILIEN_BIN} dump main latest ${join(src, 'sparse.img')} --data ${site.dataDir}`
  const tty = spawnSync('script', ['-q', '-e', '-c', cmd, '/dev/null'], { env: resilienEnv(TEST_ENV), encoding: 'utf8' })
  assert.equal(tty.status, 2, tty.stdout)
  assert.match(tty.stdout, /standard output is a terminal/)
  // A reader that stops early ends the command quietly, and the node serves the next one.
  const head = bash(`"${RESILIEN_BIN}" dump main latest "${join(src, 'sparse.img')}" --data "${site.dataDir}" | head -c 10 > /dev/null`)
  assert.deepEqual(head, { code: 0, stderr: '' })
  const again = await dumpBytes(site, ['latest', join(src, 'docs/deep/deeper/random.bin')])
  assert.equal(again.code, 0, again.stderr)
  assert.equal(again.bytes.byteLength, 3 * 1024 * 1024 + 17)
})

test('dump of a folder is a tar archive that GNU tar extracts as the folder was; a socket is left out with one line', async (t) => {
  const site = await newSite(t)
  const work = await tempDir(t)
  const src = join(work, 'src')
  await buildFixtureTree(src)
  // Past ustar's 100-byte names and link targets: pax records, a non-UTF-8 name among them.
  const long = join(src, 'a'.repeat(90), 'b'.repeat(90))
  await mkdir(long, { recursive: true })
  await writeFile(Buffer.concat([Buffer.from(long + '/'), Buffer.from('c'.repeat(120)), NON_UTF8_NAME]), 'long\n')
  await symlink('t'.repeat(150), join(src, 'link-long'))
  await createRepo(site)
  // A socket is in the snapshot while its server listens; closing it removes the file again.
  const server = createServer()
  await new Promise<void>((resolve) => server.listen(join(src, 'sock'), resolve))
  // The folder's mtime, set again once the socket is gone, so that it matches the snapshot's.
  const folderTime = new Date('2024-01-02T03:04:05Z')
  await utimes(src, folderTime, folderTime)
  await backupJson(site, [src])
  await new Promise<void>((resolve) => server.close(() => resolve()))
  await utimes(src, folderTime, folderTime)

  const out = join(work, 'out')
  await mkdir(out)
  const r = bash(`"${RESILIEN_BIN}" dump main latest "${join(src, 'docs')}" --data "${site.dataDir}" | tar -x -C "${out}"`)
  assert.deepEqual(r, { code: 0, stderr: '' })
  // Paths relative to the snapshot's root, as restic's dump writes them; the folder itself first.
  assert.deepEqual(await compareTrees(join(src, 'docs'), join(out, src, 'docs')), [])
  assert.deepEqual(await readdir(join(out, src)), ['docs'])

  // The whole snapshot ("/"): every kind of file, metadata and the long names come back.
  const all = join(work, 'all')
  await mkdir(all)
  const whole = bash(`"${RESILIEN_BIN}" dump main latest / --data "${site.dataDir}" | tar -x -C "${all}"`)
  assert.deepEqual(whole, { code: 0, stderr: 'resilien: 1 socket left out of the archive (tar has no form for them)\n' })
  assert.deepEqual(await compareTrees(src, join(all, src)), [])

  // The archive is whole blocks and ends with its two zero blocks.
  const tar = await dumpBytes(site, ['latest', join(src, 'docs', 'deep')])
  assert.equal(tar.code, 0, tar.stderr)
  assert.equal(tar.bytes.byteLength % 512, 0)
  assert.ok(tar.bytes.subarray(-1024).equals(Buffer.alloc(1024)))
  const listing = execFileSync('tar', ['-t'], { input: tar.bytes, encoding: 'utf8' })
  assert.deepEqual(listing.trim().split('\n'), ['deep/', 'deep/deeper/', 'deep/deeper/random.bin', 'deep/small.bin'].map((p) => `${join(src, 'docs').slice(1)}/${p}`))
})

test('a dump whose data cannot be read stops with one line, and its archive has no end: tar says so', async (t) => {
  const site = await newSite(t)
  const work = await tempDir(t)
  const src = join(work, 'src')
  await mkdir(src)
  // The first file in a small pack of its own (a first backup), the second in large ones.
  await writeFile(join(src, 'a-first.txt'), randomBytes(100_000).toString('hex'))
  await createRepo(site)
  await backupJson(site, [src])
  await writeFile(join(src, 'b-data.bin'), randomBytes(3_000_000))
  await backupJson(site, [src])
  // Every shard of the large packs is damaged (the first file's and the trees' are small): no k
  // shards of the second file's stripes are whole, so it cannot be read, from any of them.
  const shardsDir = join(site.dataDir, 'store', 'shards')
  for (const fan of await readdir(shardsDir)) {
    for (const f of await readdir(join(shardsDir, fan))) {
      const path = join(shardsDir, fan, f)
      if ((await stat(path)).size < 300_000) continue
      const h = await open(path, 'r+')
      await h.write(Buffer.from('damage'), 0, 6, 4096)
      await h.close()
    }
  }
  for (const path of [join(src, 'b-data.bin'), src]) {
    const r = await dumpBytes(site, ['latest', path])
    assert.equal(r.code, 1, r.stderr)
    assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr)
    if (path === src) {
      assert.ok(r.bytes.byteLength > 0, 'the first file went out before the failure')
      assert.ok(!r.bytes.subarray(-1024).equals(Buffer.alloc(1024)), 'no end blocks')
      const list = spawnSync('tar', ['-t'], { input: r.bytes, encoding: 'utf8' })
      assert.notEqual(list.status, 0, 'tar sees the archive end too soon')
    }
  }
  // The node serves the next command.
  assert.equal((await site.run(['snapshots', 'main'])).code, 0)
})

test('backup --exclude-caches, --exclude-if-present and --exclude-larger-than leave out what restic\'s do; a bad size or marker is one line and commits nothing', async (t) => {
  const { site, src } = await siteWithOneFile(t)
  await mkdir(join(src, 'browser-cache', 'deep'), { recursive: true })
  await writeFile(join(src, 'browser-cache', 'CACHEDIR.TAG'), 'Signature: 8a477f597d28d172789f06886806bc55\n')
  await writeFile(join(src, 'browser-cache', 'deep', 'blob'), 'cached')
  await mkdir(join(src, 'scratch'))
  await writeFile(join(src, 'scratch', '.nobackup'), '')
  await writeFile(join(src, 'scratch', 'tmp.dat'), 'scratch')
  await writeFile(join(src, 'video.mp4'), randomBytes(64 * 1024))

  const some = await backupJson(site, [src, '--exclude-caches', '--exclude-if-present', '.nobackup', '--exclude-larger-than', '32KiB'])
  assert.equal(some.stats.files, 3, 'x and the two markers')
  const ls = await site.run(['ls', 'main', some.id, src, '--json'])
  const paths = ls.stdout.trim().split('\n').map((l) => (JSON.parse(l) as { path: string }).path).sort()
  assert.deepEqual(paths, ['browser-cache', 'browser-cache/CACHEDIR.TAG', 'scratch', 'scratch/.nobackup', 'x'].map((p) => join(src, p)))

  const sizeTypo = await site.run(['backup', 'main', src, '--exclude-larger-than', '32XB'])
  assert.equal(sizeTypo.code, 2)
  assert.match(sizeTypo.stderr, /--exclude-larger-than: "32XB" is not a size/)
  const badMarker = await site.run(['backup', 'main', src, '--exclude-if-present', 'a/b'])
  assert.equal(badMarker.code, 1)
  assert.deepEqual(badMarker.stderr.trim().split('\n'), ['resilien: --exclude-if-present needs a file name (optionally NAME:HEADER), not "a/b"'])
  const all = await backupJson(site, [src])
  assert.equal(all.stats.files, 6, 'without the options every file is read; the refused backups committed nothing')
  assert.equal((JSON.parse((await site.run(['snapshots', 'main', '--json'])).stdout) as unknown[]).length, 2)
})

test('stats: what the snapshots restore to beside what the packs take, deduplicated across snapshots', async (t) => {
  const { site, src } = await siteWithOneFile(t)
  const stats = async (): Promise<{ snapshots: number, restoreBytes: number, packs: number, packedBytes: number, storedBytes: number, latest?: { bytes: number } }> => {
    const r = await site.run(['stats', 'main', '--json'])
    assert.equal(r.code, 0, r.stderr)
    return JSON.parse(r.stdout) as { snapshots: number, restoreBytes: number, packs: number, packedBytes: number, storedBytes: number, latest?: { bytes: number } }
  }
  assert.deepEqual(await stats(), { snapshots: 0, restoreBytes: 0, packs: 0, packedBytes: 0, storedBytes: 0, k: 2, m: 1 })
  await writeFile(join(src, 'random.bin'), randomBytes(1024 * 1024))
  await backupJson(site, [src])
  const one = await stats()
  assert.equal(one.latest?.bytes, 1024 * 1024 + 1)
  assert.ok(one.packedBytes > 1024 * 1024 && one.packedBytes < 1.1 * 1024 * 1024, `random data is stored once, uncompressed: ${one.packedBytes}`)
  assert.ok(one.storedBytes >= 1.5 * one.packedBytes, 'with 2+1 parity')
  // The same data again: restore size doubles, the packs grow by a tree only.
  await backupJson(site, [src])
  const two = await stats()
  assert.equal(two.snapshots, 2)
  assert.equal(two.restoreBytes, 2 * one.restoreBytes)
  assert.ok(two.packedBytes - one.packedBytes < 16 * 1024, `the second snapshot stored ${two.packedBytes - one.packedBytes} bytes`)
  const text = await site.run(['stats', 'main'])
  assert.match(text.stdout, /^snapshots: +2$/m)
  const wrong = await site.run(['stats', 'main'], { env: { RESILIEN_PASSWORD: 'not it' } })
  assert.equal(wrong.code, 1)
  assert.match(wrong.stderr, /wrong passphrase/)
})

test('backup --dry-run says what a backup would add, and stores and commits nothing', async (t) => {
  const { site, src } = await siteWithOneFile(t)
  await writeFile(join(src, 'big.bin'), randomBytes(3_000_000))
  const storedBytes = async (): Promise<number> => {
    const status = JSON.parse((await site.run(['status', '--json'])).stdout) as { sites: Array<{ storedBytes: number }> }
    return status.sites.reduce((n, s) => n + s.storedBytes, 0)
  }
  const before = await storedBytes()
  const dry = await site.run(['backup', 'main', src, '--dry-run'])
  assert.equal(dry.code, 0, dry.stderr)
  assert.match(dry.stdout, /^dry run: nothing was stored and no snapshot was made$/m)
  const wouldAdd = /^would add (.+) in (\d+) new chunks/m.exec(dry.stdout)
  assert.ok(wouldAdd !== null, dry.stdout)
  assert.equal(await storedBytes(), before)
  const none = JSON.parse((await site.run(['snapshots', 'main', '--json'])).stdout) as unknown[]
  assert.deepEqual(none, [])
  const dryJson = JSON.parse((await site.run(['backup', 'main', src, '-n', '--json'])).stdout) as { dryRun: boolean, snapshot: string, stats: { newChunks: number } }
  assert.deepEqual([dryJson.dryRun, dryJson.snapshot, dryJson.stats.newChunks], [true, '', Number(wouldAdd[2])])

  const real = await site.run(['backup', 'main', src])
  assert.equal(real.code, 0, real.stderr)
  assert.match(real.stdout, new RegExp(`^added ${wouldAdd[1]} in ${wouldAdd[2]} new chunks`, 'm'), 'the backup adds what the dry run said')
  assert.ok(await storedBytes() > before)
})
