import { test } from 'node:test'
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { mkdir, readdir, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { randomBytes } from 'node:crypto'
import { compareTrees, newSite, tempDir, RESILIEN_BIN, TEST_ENV } from '../src/index.js'

test('kill -9 of the node during a backup: after restart check is clean and the backup re-runs', async (t) => {
  const site = await newSite(t)
  const work = await tempDir(t)
  const src = join(work, 'src')
  await mkdir(src)
  const FILES = 20
  for (let i = 0; i < FILES; i++) await writeFile(join(src, `file${i}.bin`), randomBytes(4 * 1024 * 1024))
  assert.equal((await site.run(['repo', 'create', 'main'])).code, 0)

  // Start a backup and kill the node as soon as it reports progress (some packs are stored).
  const backup = spawn(process.execPath, [RESILIEN_BIN, 'backup', 'main', src, '--data', site.dataDir], {
    env: { ...process.env, ...TEST_ENV }, stdio: ['ignore', 'pipe', 'pipe']
  })
  const exited = new Promise<number | null>((resolve) => backup.once('close', (code) => resolve(code)))
  // Plain progress lines come every few seconds; instead wait until shards land in the store.
  const shards = join(site.dataDir, 'store', 'shards')
  const countShards = async (): Promise<number> => {
    let n = 0
    for (const fan of await readdir(shards).catch(() => [] as string[])) n += (await readdir(join(shards, fan)).catch(() => [])).length
    return n
  }
  // At most DEFAULT_PACKS_IN_FLIGHT (8) packs of 3 shards are stored but not yet recorded; so
  // 45 shard files mean at least 7 packs (28 MiB) are recorded and indexed. Then kill.
  const SHARDS_BEFORE_KILL = 45
  for (let i = 0; i < 4000 && await countShards() < SHARDS_BEFORE_KILL; i++) await new Promise((resolve) => setTimeout(resolve, 5))
  assert.ok(await countShards() >= SHARDS_BEFORE_KILL, 'the backup stored packs before the kill')
  await site.stop('SIGKILL')
  const code = await exited
  assert.notEqual(code, 0, 'the interrupted backup did not report success')

  await site.start()
  const snapshots = JSON.parse((await site.run(['snapshots', 'main', '--json'])).stdout) as unknown[]
  assert.equal(snapshots.length, 0, 'no half snapshot')
  const check = await site.run(['check', 'main', '--read-data'])
  assert.equal(check.code, 0, check.stdout + check.stderr)

  const again = await site.run(['backup', 'main', src, '--json'])
  assert.equal(again.code, 0, again.stderr)
  const stats = (JSON.parse(again.stdout) as { stats: { newBytes: number } }).stats
  assert.ok(stats.newBytes <= (FILES - 7) * 4 * 1024 * 1024, `the re-run reused what the killed run stored (${stats.newBytes} new bytes)`)
  const target = join(work, 'out')
  assert.equal((await site.run(['restore', 'main', 'latest', '--target', target])).code, 0)
  assert.deepEqual(await compareTrees(src, join(target, src)), [])
  assert.equal((await site.run(['check', 'main', '--read-data'])).code, 0)
})

test('SIGTERM during a backup stops the node cleanly: the backup fails with one line and commits nothing', async (t) => {
  const site = await newSite(t)
  const work = await tempDir(t)
  const src = join(work, 'src')
  await mkdir(src)
  for (let i = 0; i < 8; i++) await writeFile(join(src, `file${i}.bin`), randomBytes(4 * 1024 * 1024))
  assert.equal((await site.run(['repo', 'create', 'main'])).code, 0)
  const backup = spawn(process.execPath, [RESILIEN_BIN, 'backup', 'main', src, '--data', site.dataDir], {
    env: { ...process.env, ...TEST_ENV }, stdio: ['ignore', 'pipe', 'pipe']
  })
  let stderr = ''
  backup.stderr.on('data', (d: Buffer) => { stderr += d.toString() })
  const exited = new Promise<number | null>((resolve) => backup.once('close', (code) => resolve(code)))
  const shards = join(site.dataDir, 'store', 'shards')
  for (let i = 0; i < 3000; i++) {
    if ((await readdir(shards).catch(() => [])).length > 0) break
    await new Promise((resolve) => setTimeout(resolve, 5))
  }
  assert.equal(await site.stop('SIGTERM'), 0, 'the node exits 0 on SIGTERM')
  const code = await exited
  assert.notEqual(code, 0)
  const lines = stderr.trim().split('\n').filter((l) => l.startsWith('resilien:'))
  assert.equal(lines.length, 1, stderr)
  await site.start()
  const snapshots = JSON.parse((await site.run(['snapshots', 'main', '--json'])).stdout) as unknown[]
  assert.equal(snapshots.length, 0)
  assert.equal((await site.run(['check', 'main', '--read-data'])).code, 0)
})
