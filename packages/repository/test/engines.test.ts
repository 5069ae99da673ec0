import { test } from 'node:test'
import assert from 'node:assert/strict'
import { chmod, lstat, mkdir, readdir, readFile, symlink, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { randomBytes } from 'node:crypto'
import { keyedHash } from '@resilien/hashing'
import { WrongPassphraseError } from '@resilien/types'
import type { ShardStore } from '@resilien/types'
import { backup, checkRepository, openRepository, restore, SealPool } from '../src/index.js'
import { newRepository, PASSPHRASE } from './helpers.js'

test('backup then restore through in-memory sites gives the same bytes', async (t) => {
  const { repo, dir } = await newRepository(t)
  const src = join(dir, 'src')
  await mkdir(join(src, 'sub'), { recursive: true })
  const big = randomBytes(5_000_000)
  await writeFile(join(src, 'sub', 'big.bin'), big)
  await writeFile(join(src, 'note.txt'), 'hello\n'.repeat(10_000))
  const result = await backup(repo, { paths: [src], redundancyCheck: async () => undefined })
  assert.equal(result.stats.files, 2)
  assert.ok(result.stats.packs >= 3, 'data, tree and index packs')
  const target = join(dir, 'out')
  await restore(repo, { snapshot: 'latest', target })
  assert.ok((await readFile(join(target, src, 'sub', 'big.bin'))).equals(big))
  assert.equal(await readFile(join(target, src, 'note.txt'), 'utf8'), 'hello\n'.repeat(10_000))
  const report = await checkRepository(repo, { readData: true })
  assert.deepEqual(report.problems, [])
  assert.equal(report.ok, true)
})

test('restore decodes from parity when a site loses its data shards, and check names them', async (t) => {
  const { repo, dir, stores } = await newRepository(t)
  const src = join(dir, 'src')
  await mkdir(src)
  const data = randomBytes(3_000_000)
  await writeFile(join(src, 'f.bin'), data)
  await backup(repo, { paths: [src], redundancyCheck: async () => undefined })
  // Site s1 holds data shard 0 of every pack: empty it.
  const s1 = stores.get('s1') as ShardStore
  const lost: string[] = []
  for await (const info of s1.list()) lost.push(info.id)
  for (const id of lost) await s1.delete(id)
  const target = join(dir, 'out')
  await restore(repo, { snapshot: 'latest', target })
  assert.ok((await readFile(join(target, src, 'f.bin'))).equals(data))
  assert.ok(repo.reader.failures.length > 0, 'the failed range reads were recorded')
  const report = await checkRepository(repo)
  assert.deepEqual(report.problems.map((p) => p.id).sort(), lost.sort())
  assert.ok(report.problems.every((p) => p.kind === 'missing-shard'))
})

test('check names a chunk missing from the index and a pack without a stripe record, each once, in its on-disk work folder', async (t) => {
  const { repo, dir, catalog } = await newRepository(t)
  const src = join(dir, 'src')
  await mkdir(join(src, 'a'), { recursive: true })
  const data = randomBytes(3_000_000)
  await writeFile(join(src, 'a', 'f.bin'), data)
  await writeFile(join(src, 'g.bin'), data)
  await backup(repo, { paths: [src], redundancyCheck: async () => undefined })
  await backup(repo, { paths: [src], redundancyCheck: async () => undefined })
  const tree = await repo.loadTree((await repo.listSnapshots())[0]?.record.tree ?? [])
  let node = tree.nodes[0]
  while (node !== undefined && node.type === 'dir' && node.name !== 'src') node = (await repo.loadTree(node.subtree ?? [])).nodes[0]
  const chunks = (await repo.loadTree(node?.subtree ?? [])).nodes.find((n) => n.name === 'g.bin')?.content ?? []
  assert.ok(chunks.length > 2)
  // The first chunk leaves the index; the last one's pack loses its stripe record.
  const [first, last] = [chunks[0] as string, chunks[chunks.length - 1] as string]
  const firstPack = (await repo.index.get(Buffer.from(first, 'hex')))?.pack as string
  await repo.index.forgetPack(firstPack, [Buffer.from(first, 'hex')])
  const lostPack = (await repo.index.get(Buffer.from(last, 'hex')))?.pack as string
  const stripe = catalog.stripe.bind(catalog)
  catalog.stripe = async (pack) => pack === lostPack ? undefined : await stripe(pack)
  const workDir = join(dir, 'check-work')
  await mkdir(workDir)
  const report = await checkRepository(repo, { workDir })
  // f.bin has the same chunks and both snapshots the same trees: each problem is reported once.
  assert.deepEqual(report.problems.map((p) => `${p.kind} ${p.id}`).sort(), [`missing-chunk ${first}`, `missing-stripe ${lostPack}`].sort())
  assert.equal(report.snapshots, 2)
  assert.deepEqual(await readdir(workDir), [], 'the on-disk sets are removed')
})

test('check names a file whose chunks do not hold its recorded size', async (t) => {
  const { repo, dir } = await newRepository(t)
  const src = join(dir, 'src')
  await mkdir(src)
  await writeFile(join(src, 'one.txt'), 'one chunk\n')
  await backup(repo, { paths: [src], redundancyCheck: async () => undefined })
  assert.deepEqual((await checkRepository(repo)).problems, [])
  // The index now says the file's one chunk holds a byte more than the file's record.
  const id = keyedHash(repo.keys.chunkIdKey, Buffer.from('one chunk\n'))
  const loc = await repo.index.get(id)
  assert.ok(loc !== undefined)
  await repo.index.loadIndexObject('test-index', [{ pack: loc.pack, entries: [{ ...loc, id, rawLength: loc.rawLength + 1 }] }])
  const report = await checkRepository(repo)
  assert.deepEqual(report.problems.map((p) => p.kind), ['bad-tree'])
  assert.match(report.problems[0]?.message ?? '', /\/src\/one\.txt: its chunks hold 11 bytes, its record says 10$/)
})

test('an unchanged folder reuses its tree from the parent snapshot without asking the index; a changed one is saved', async (t) => {
  const { repo, dir } = await newRepository(t)
  const src = join(dir, 'src')
  for (let d = 0; d < 20; d++) {
    await mkdir(join(src, `d${d}`), { recursive: true })
    await writeFile(join(src, `d${d}`, 'f.txt'), `file ${d}\n`)
  }
  await backup(repo, { paths: [src], redundancyCheck: async () => undefined })
  // Index lookups of saves: every lookup, less the one each parent tree read makes (single-blob trees).
  let lookups = 0
  const live = repo.liveLocations.bind(repo)
  repo.liveLocations = async (ids) => {
    lookups++
    return await live(ids)
  }
  const load = repo.loadTree.bind(repo)
  repo.loadTree = async (ids, options) => {
    lookups--
    return await load(ids, options)
  }
  const again = await backup(repo, { paths: [src], redundancyCheck: async () => undefined })
  assert.equal(again.stats.unchangedFiles, 20)
  // Only the folders above src (the snapshot's virtual path) are looked up, not src's 21 trees.
  assert.ok(lookups < 10, `${lookups} index lookups to save an unchanged tree`)
  await writeFile(join(src, 'd7', 'f.txt'), 'changed\n')
  lookups = 0
  const changed = await backup(repo, { paths: [src], redundancyCheck: async () => undefined })
  assert.equal(changed.stats.unchangedFiles, 19)
  assert.ok(lookups >= 3, 'the changed file, its folder and src are saved')
  const out = join(dir, 'out')
  await restore(repo, { snapshot: 'latest', target: out })
  assert.equal(await readFile(join(out, src, 'd7', 'f.txt'), 'utf8'), 'changed\n')
  assert.equal(await readFile(join(out, src, 'd3', 'f.txt'), 'utf8'), 'file 3\n')
  assert.deepEqual((await checkRepository(repo, { readData: true })).problems, [])
})

test('a wrong passphrase is its own error', async (t) => {
  const { repo, dir } = await newRepository(t)
  await assert.rejects(openRepository(repo.components, { repo: 'main', passphrase: PASSPHRASE + 'x', cacheDir: join(dir, 'cache2') }), WrongPassphraseError)
})

test('a fresh machine rebuilds its chunk index from the repository and restores', async (t) => {
  const { repo, dir } = await newRepository(t)
  const src = join(dir, 'src')
  await mkdir(src)
  const data = randomBytes(2_000_000)
  await writeFile(join(src, 'f.bin'), data)
  await backup(repo, { paths: [src], redundancyCheck: async () => undefined })
  const fresh = await openRepository(repo.components, { repo: 'main', passphrase: PASSPHRASE, cacheDir: join(dir, 'other-cache') })
  t.after(async () => fresh.close())
  const target = join(dir, 'out')
  await restore(fresh, { snapshot: 'latest', target })
  assert.ok((await readFile(join(target, src, 'f.bin'))).equals(data))
})

test('blobs compressed and sealed by worker threads restore like inline ones', async (t) => {
  const { repo, dir } = await newRepository(t)
  const pool = new SealPool(2)
  t.after(async () => pool.close())
  const src = join(dir, 'src')
  await mkdir(src)
  const text = 'INSERT INTO oc_filecache VALUES (1, 2, 3);\n'.repeat(200_000)
  const random = randomBytes(3_000_000)
  await writeFile(join(src, 'dump.sql'), text)
  await writeFile(join(src, 'random.bin'), random)
  const result = await backup(repo, { paths: [src], redundancyCheck: async () => undefined, sealPool: pool })
  assert.ok(result.stats.packedBytes < result.stats.newBytes, 'the text was compressed')
  const target = join(dir, 'out')
  await restore(repo, { snapshot: 'latest', target })
  assert.equal(await readFile(join(target, src, 'dump.sql'), 'utf8'), text)
  assert.ok((await readFile(join(target, src, 'random.bin'))).equals(random))
  assert.equal((await checkRepository(repo, { readData: true })).ok, true)
})

test('a file whose size changes while it is read is stored as read, with a warning; it restores and checks clean', async (t) => {
  // A /proc file is listed with size 0 and reads as text: grown since its listing, every time.
  const proc = '/proc/version'
  const expected = await readFile(proc)
  for (const pool of [undefined, new SealPool(1)]) {
    if (pool !== undefined) t.after(async () => pool.close())
    const { repo, dir } = await newRepository(t)
    const warnings: string[] = []
    const result = await backup(repo, { paths: [proc], redundancyCheck: async () => undefined, onWarning: (w) => warnings.push(w), ...(pool === undefined ? {} : { sealPool: pool }) })
    assert.deepEqual(warnings, [`${proc}: changed size while it was read (0 bytes when listed, ${expected.byteLength} read): the snapshot holds what was read`])
    assert.deepEqual([result.stats.files, result.stats.totalBytes], [1, expected.byteLength])
    const target = join(dir, 'out')
    await restore(repo, { snapshot: 'latest', target })
    assert.ok((await readFile(join(target, proc))).equals(expected))
    // Restored with /proc's own mode (0555): writable again, so that the test folder can go.
    await chmod(join(target, 'proc'), 0o755)
    assert.deepEqual((await checkRepository(repo, { readData: true })).problems, [])
  }
})

test('files sealed whole in a worker keep only their new chunks: copies in flight together are packed once, known chunks not again', async (t) => {
  const { repo, dir } = await newRepository(t)
  // The reference: the same tree without a worker (chunks sealed after the index said they are new).
  const { repo: inline } = await newRepository(t)
  const pool = new SealPool(1)
  t.after(async () => pool.close())
  const src = join(dir, 'src')
  await mkdir(src)
  // Files under the chunker's minimum size are one chunk in any repository, so counts compare.
  const preview = randomBytes(12_000)
  const files = new Map<string, Buffer>()
  // Eight copies of one preview among distinct small files: files are in flight four at a time.
  for (let i = 0; i < 24; i++) files.set(`f${i}.jpg`, i % 3 === 0 ? preview : randomBytes(1_000 + i * 500))
  for (const [name, data] of files) await writeFile(join(src, name), data)
  const options = { paths: [src], redundancyCheck: async () => undefined }
  const first = await backup(repo, { ...options, sealPool: pool })
  const reference = await backup(inline, options)
  assert.equal(first.stats.newChunks, reference.stats.newChunks, 'sixteen distinct files, the preview once, and the trees')
  // Their trees hold keyed chunk ids, which compress a few bytes differently; a chunk packed twice would add 12,000.
  assert.ok(Math.abs(first.stats.packedBytes - reference.stats.packedBytes) < 64, `packed ${first.stats.packedBytes} against ${reference.stats.packedBytes}`)
  // A known copy, then a file whose first chunks are known and the rest new (one batch, sealed whole).
  const head = randomBytes(300_000)
  const longer = Buffer.concat([head, randomBytes(300_000)])
  for (const [name, data] of [['copy.jpg', preview], ['head.bin', head], ['longer.bin', longer]] as const) {
    files.set(name, data)
    await writeFile(join(src, name), data)
    await backup(repo, { ...options, sealPool: pool })
  }
  const target = join(dir, 'out')
  await restore(repo, { snapshot: 'latest', target })
  for (const [name, data] of files) assert.ok((await readFile(join(target, src, name))).equals(data), name)
  assert.equal((await checkRepository(repo, { readData: true })).ok, true)
})

test('restoring over a planted symlink replaces it and never writes through it', async (t) => {
  const { repo, dir } = await newRepository(t)
  const src = join(dir, 'src')
  await mkdir(join(src, 'sub'), { recursive: true })
  await mkdir(join(src, 'other'))
  await writeFile(join(src, 'f.txt'), 'from the snapshot\n')
  await writeFile(join(src, 'sub', 'g.txt'), 'inside a folder\n')
  await writeFile(join(src, 'other', 'h.txt'), 'in a folder where a file was\n')
  await backup(repo, { paths: [src], redundancyCheck: async () => undefined })
  const target = join(dir, 'out')
  const outside = join(dir, 'outside.txt')
  const outsideDir = join(dir, 'outside-dir')
  await writeFile(outside, 'must stay\n')
  await mkdir(outsideDir)
  await mkdir(join(target, src), { recursive: true })
  await symlink(outside, join(target, src, 'f.txt'))
  // A link to a folder where the snapshot has a folder: its files must not land in outside-dir.
  await symlink(outsideDir, join(target, src, 'sub'))
  await writeFile(join(target, src, 'other'), 'a file where the snapshot has a folder\n')
  await restore(repo, { snapshot: 'latest', target })
  assert.equal(await readFile(outside, 'utf8'), 'must stay\n')
  assert.deepEqual(await readdir(outsideDir), [])
  assert.equal((await lstat(join(target, src, 'f.txt'))).isFile(), true)
  assert.equal(await readFile(join(target, src, 'f.txt'), 'utf8'), 'from the snapshot\n')
  assert.equal((await lstat(join(target, src, 'sub'))).isDirectory(), true)
  assert.equal(await readFile(join(target, src, 'sub', 'g.txt'), 'utf8'), 'inside a folder\n')
  assert.equal(await readFile(join(target, src, 'other', 'h.txt'), 'utf8'), 'in a folder where a file was\n')
})

test('a folder where the snapshot has a file or link: an empty one is replaced, one with files is kept and named in a warning', async (t) => {
  const { repo, dir } = await newRepository(t)
  const src = join(dir, 'src')
  await mkdir(src)
  await writeFile(join(src, 'a'), 'file a\n')
  await symlink('a', join(src, 'b'))
  await writeFile(join(src, 'c'), 'file c\n')
  await backup(repo, { paths: [src], redundancyCheck: async () => undefined })
  const target = join(dir, 'out')
  await mkdir(join(target, src, 'a'), { recursive: true })
  await mkdir(join(target, src, 'b', 'sub'), { recursive: true })
  await writeFile(join(target, src, 'b', 'sub', 'keep'), 'not the restore\'s\n')
  await mkdir(join(target, src, 'c', 'sub'), { recursive: true })
  const result = await restore(repo, { snapshot: 'latest', target })
  assert.equal(await readFile(join(target, src, 'a'), 'utf8'), 'file a\n', 'an empty folder gives way')
  assert.equal(await readFile(join(target, src, 'b', 'sub', 'keep'), 'utf8'), 'not the restore\'s\n', 'what the restore did not write stays')
  assert.deepEqual(result.warnings.map((w) => w.replace(join(target, src), 'T')).sort(), [
    'T/b: a folder with files in it is in the way: it was left as it is, and this entry was not restored',
    'T/c: a folder with files in it is in the way: it was left as it is, and this entry was not restored'
  ])
  assert.equal(result.files, 1)
})

test('a backup whose stripes do not survive a site loss commits nothing unless degraded is allowed', async (t) => {
  const { repo, dir } = await newRepository(t)
  const src = join(dir, 'src')
  await mkdir(src)
  await writeFile(join(src, 'a.txt'), 'some data\n')
  const shortfall = async (): Promise<string> => 'only 2 failure domains are up'
  await assert.rejects(backup(repo, { paths: [src], redundancyCheck: shortfall }), (err: Error) => {
    assert.equal(err.name, 'InsufficientRedundancyError')
    assert.match(err.message, /only 2 failure domains are up; nothing was committed/)
    return true
  })
  assert.equal((await repo.listSnapshots()).length, 0)
  const replicated: number[] = []
  const result = await backup(repo, { paths: [src], redundancyCheck: shortfall, allowDegraded: true, replicate: async (seq) => { replicated.push(seq) } })
  assert.equal(result.degraded, true)
  assert.equal(replicated.length, 1, 'the snapshot entry is replicated before backup returns')
  const snapshots = await repo.listSnapshots()
  assert.deepEqual(snapshots.map((s) => [s.id, s.record.degraded]), [[result.snapshot, true]])
})

test('a backup interrupted while its snapshot is copied to a second site has said which snapshot it recorded', async (t) => {
  const { repo, dir } = await newRepository(t)
  const src = join(dir, 'src')
  await mkdir(src)
  await writeFile(join(src, 'a.txt'), 'some data\n')
  const controller = new AbortController()
  const recorded: string[] = []
  // The second site never answers; the operator presses Ctrl-C while the backup waits for it.
  const replicate = async (_seq: number, o: { signal?: AbortSignal }): Promise<void> => {
    controller.abort(new Error('interrupted'))
    o.signal?.throwIfAborted()
  }
  await assert.rejects(backup(repo, {
    paths: [src],
    redundancyCheck: async () => undefined,
    replicate,
    signal: controller.signal,
    onProgress: (p) => { if (p.recorded !== undefined) recorded.push(p.recorded) }
  }), /interrupted/)
  // The CLI says so instead of "nothing was committed": the entry is in this site's catalog.
  assert.deepEqual((await repo.listSnapshots()).map((s) => s.id), recorded)
  assert.equal(recorded.length, 1)
})

test('a first backup counts files and bytes for its progress, unless told not to (--no-scan)', async (t) => {
  const { repo, dir } = await newRepository(t)
  const src = join(dir, 'src')
  await mkdir(join(src, 'sub'), { recursive: true })
  for (let i = 0; i < 20; i++) await writeFile(join(src, 'sub', `f${i}`), randomBytes(50_000))
  const totalsSeen = async (noScan: boolean): Promise<boolean[]> => {
    const seen: boolean[] = []
    // A repository of its own each time: a parent snapshot's totals would stand in for the scan.
    const fresh = noScan ? repo : (await newRepository(t)).repo
    await backup(fresh, { paths: [src], noScan, redundancyCheck: async () => undefined, onProgress: (p) => seen.push(p.totals !== undefined) })
    return seen
  }
  const scanned = await totalsSeen(false)
  assert.ok(scanned.length > 0 && scanned.every((has) => has), 'every progress event carries the scan\'s totals')
  const unscanned = await totalsSeen(true)
  assert.ok(unscanned.length > 0, 'progress is still reported')
  assert.ok(unscanned.every((has) => !has), 'no totals without the scan')
})

test('a dry run reads and counts as a backup does but stores, indexes and commits nothing', async (t) => {
  const { repo, dir, stores, catalog } = await newRepository(t)
  const src = join(dir, 'src')
  await mkdir(src)
  const data = randomBytes(3_000_000)
  await writeFile(join(src, 'a.bin'), data)
  await writeFile(join(src, 'copy.bin'), data)
  await writeFile(join(src, 'note.txt'), 'hello\n'.repeat(50_000))
  const shardCount = async (): Promise<number> => {
    const ids: string[] = []
    for (const store of stores.values()) for await (const shard of store.list()) ids.push(shard.id)
    return ids.length
  }
  const heads = async (): Promise<string> => JSON.stringify([...(await catalog.heads())])
  const before = { shards: await shardCount(), heads: await heads() }
  const dry = await backup(repo, { paths: [src], dryRun: true, redundancyCheck: async () => { throw new Error('a dry run commits nothing, so it checks no redundancy') } })
  assert.equal(dry.dryRun, true)
  assert.equal(dry.snapshot, '')
  assert.equal(await shardCount(), before.shards, 'no shard stored')
  assert.equal(await heads(), before.heads, 'nothing appended to the catalog')
  assert.deepEqual(await repo.listSnapshots(), [])
  assert.ok(dry.stats.newChunks > 0 && dry.stats.packs > 0)
  // Nothing was indexed either: a second dry run finds the same chunks new.
  const twice = await backup(repo, { paths: [src], dryRun: true, redundancyCheck: async () => undefined })
  assert.equal(twice.stats.newChunks, dry.stats.newChunks)

  // What the dry run said is what the backup then adds: the copy counted once, as a backup does.
  const real = await backup(repo, { paths: [src], redundancyCheck: async () => undefined })
  assert.equal(real.dryRun, undefined)
  assert.deepEqual([dry.stats.newChunks, dry.stats.newBytes, dry.stats.files], [real.stats.newChunks, real.stats.newBytes, real.stats.files])
  assert.ok(dry.stats.newBytes < 2 * data.byteLength, 'the second copy of the data is not counted again')
  // Data packs only in the dry run: the real backup also writes its index object's pack.
  assert.equal(dry.stats.packs, real.stats.packs - 1)
  assert.equal((await repo.listSnapshots()).length, 1)
  const again = await backup(repo, { paths: [src], dryRun: true, redundancyCheck: async () => undefined })
  assert.deepEqual([again.stats.unchangedFiles, again.parent], [3, real.snapshot])
  // Only the trees of the folders above src are new (their mtimes moved, as the catalog's files
  // were written): no file data.
  assert.ok(again.stats.newBytes < 4096, `${again.stats.newBytes} new bytes`)
})
