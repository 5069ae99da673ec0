import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { randomInt } from 'node:crypto'
import { mkdir, readdir, stat, writeFile } from 'node:fs/promises'
import { dirname, join } from 'node:path'
import { createInterface } from 'node:readline'
import { test } from 'node:test'
import { fileURLToPath } from 'node:url'
import { createDiskShardStore } from '../src/index.js'
import type { DiskShardStore } from '../src/index.js'
import { IntentKind } from '../src/index-records.js'
import { ShardIndex } from '../src/shard-index.js'
import { collectList, makeShard, tempDirectory } from './helpers.js'

function fileOf (path: string, id: string): string {
  return join(path, 'shards', id.slice(0, 2), id)
}

/** Puts a file where a shard's rename would have put it, as a crash after the rename leaves it. */
async function placeShardFile (path: string, id: string, bytes: Uint8Array): Promise<void> {
  await mkdir(dirname(fileOf(path, id)), { recursive: true })
  await writeFile(fileOf(path, id), bytes)
}

async function withIndex<T> (path: string, task: (index: ShardIndex) => Promise<T>): Promise<T> {
  const index = await ShardIndex.open(join(path, 'index'))
  try {
    return await task(index)
  } finally {
    await index.close()
  }
}

/** Checks that index, counters and files agree, then closes the store and checks no intent is left. */
async function assertConsistent (store: DiskShardStore): Promise<void> {
  const listed = await collectList(store.list())
  const stats = await store.stats()
  assert.equal(stats.shards, listed.length, 'shard counter')
  assert.equal(stats.bytes, listed.reduce((sum, info) => sum + info.size, 0), 'byte counter')
  for (const info of listed) assert.equal(await store.verify(info.id), true, `shard ${info.id} verifies`)
  const files: string[] = []
  for (const dir of await readdir(join(store.path, 'shards'))) files.push(...await readdir(join(store.path, 'shards', dir)))
  assert.deepEqual(files.sort(), listed.map((info) => info.id), 'a file for every entry and no other')
  assert.deepEqual(await readdir(join(store.path, 'tmp')), [], 'tmp/ is empty')
  await store.close()
  assert.deepEqual(await withIndex(store.path, async (index) => await index.intents()), [], 'no intent left')
}

test('a put interrupted after its rename is finished at open', async (t) => {
  const path = await tempDirectory(t)
  await (await createDiskShardStore({ path })).close()
  const shard = makeShard(150 * 1024)
  await withIndex(path, async (index) => { await index.recordIntent(shard.id, IntentKind.put) })
  await placeShardFile(path, shard.id, shard.bytes)
  await writeFile(join(path, 'tmp', `${shard.id}.0123456789ab`), shard.bytes)
  const store = await createDiskShardStore({ path })
  assert.deepEqual(await store.get(shard.id), shard.bytes)
  assert.deepEqual(await store.get(shard.id, { offset: 70000, length: 10 }), shard.bytes.slice(70000, 70010))
  await assertConsistent(store)
})

test('a put interrupted before its rename leaves no trace after open', async (t) => {
  const path = await tempDirectory(t)
  await (await createDiskShardStore({ path })).close()
  const shard = makeShard(150 * 1024)
  await withIndex(path, async (index) => { await index.recordIntent(shard.id, IntentKind.put) })
  await writeFile(join(path, 'tmp', `${shard.id}.0123456789ab`), shard.bytes.subarray(0, 1000))
  const store = await createDiskShardStore({ path })
  assert.deepEqual(await store.has([shard.id]), [false])
  assert.equal((await store.stats()).shards, 0)
  await assertConsistent(store)
})

test('an interrupted put whose file does not hash to its id is quarantined at open, not indexed', async (t) => {
  const path = await tempDirectory(t)
  await (await createDiskShardStore({ path })).close()
  const shard = makeShard(10 * 1024)
  await withIndex(path, async (index) => { await index.recordIntent(shard.id, IntentKind.put) })
  await placeShardFile(path, shard.id, shard.bytes.subarray(0, 5000))
  const store = await createDiskShardStore({ path })
  assert.deepEqual(await store.has([shard.id]), [false])
  assert.equal((await readdir(join(path, 'quarantine'))).length, 1)
  await assertConsistent(store)
})

test('a delete or quarantine interrupted after its index batch removes or moves the file at open', async (t) => {
  const path = await tempDirectory(t)
  let store = await createDiskShardStore({ path })
  const deleted = makeShard(3000)
  const quarantined = makeShard(4000)
  const kept = makeShard(5000)
  for (const shard of [deleted, quarantined, kept]) await store.put(shard.id, shard.bytes)
  await store.close()
  await withIndex(path, async (index) => {
    await index.removeShard(deleted.id, 3000, IntentKind.delete)
    await index.removeShard(quarantined.id, 4000, IntentKind.quarantine)
  })
  assert.equal((await stat(fileOf(path, deleted.id))).size, 3000, 'the crash left the file')
  store = await createDiskShardStore({ path })
  assert.deepEqual(await store.has([deleted.id, quarantined.id, kept.id]), [false, false, true])
  const stats = await store.stats()
  assert.deepEqual({ shards: stats.shards, bytes: stats.bytes }, { shards: 1, bytes: 5000 })
  assert.equal((await readdir(join(path, 'quarantine'))).length, 1)
  await assertConsistent(store)
})

interface WriterRun {
  put: Set<string>
  deleting: Set<string>
  deleted: Set<string>
}

/** Runs crash-writer until it has acknowledged `puts` puts, kills it with SIGKILL, and reads every line it printed. */
async function runWriterUntilKilled (path: string, puts: number): Promise<WriterRun> {
  const writer = fileURLToPath(new URL('./crash-writer.js', import.meta.url))
  const child = spawn(process.execPath, [writer, path], { stdio: ['ignore', 'pipe', 'pipe'] })
  let stderr = ''
  child.stderr.on('data', (data: Buffer) => { stderr += data.toString() })
  const run: WriterRun = { put: new Set(), deleting: new Set(), deleted: new Set() }
  const exited = new Promise<NodeJS.Signals | null>((resolve) => { child.on('close', (_code, signal) => { resolve(signal) }) })
  for await (const line of createInterface({ input: child.stdout })) {
    const [verb, id = ''] = line.split(' ')
    if (verb === 'put') run.put.add(id)
    if (verb === 'deleting') run.deleting.add(id)
    if (verb === 'deleted') run.deleted.add(id)
    if (run.put.size === puts) child.kill('SIGKILL')
  }
  assert.equal(await exited, 'SIGKILL', `the writer was killed, not failed: ${stderr}`)
  return run
}

test('kill -9 at random points of concurrent puts and deletes loses nothing acknowledged and leaves a consistent store', async (t) => {
  const path = await tempDirectory(t)
  const present = new Set<string>()
  const gone = new Set<string>()
  for (let round = 0; round < 3; round++) {
    const run = await runWriterUntilKilled(path, randomInt(8, 30))
    for (const id of run.put) present.add(id)
    for (const id of run.deleting) present.delete(id)
    for (const id of run.deleted) gone.add(id)
    const intents = await withIndex(path, async (index) => await index.intents())
    const temps = await readdir(join(path, 'tmp'))
    t.diagnostic(`round ${round}: killed with ${intents.length} intents and ${temps.length} temp files left`)
    const store = await createDiskShardStore({ path })
    const ids = [...present, ...gone]
    assert.deepEqual(await store.has(ids), ids.map((id) => present.has(id)), `round ${round}`)
    for (const id of present) assert.ok(await store.get(id) instanceof Uint8Array)
    // A shard whose delete was under way may be there or not; whichever, the store is consistent.
    const uncertain = [...run.deleting].filter((id) => !run.deleted.has(id))
    const remaining = (await store.has(uncertain)).filter(Boolean).length
    for (const id of uncertain) gone.add(id)
    if (remaining > 0) {
      t.diagnostic(`round ${round}: ${remaining} of ${uncertain.length} interrupted deletes had not happened yet`)
      for (const id of uncertain) await store.delete(id)
    }
    await assertConsistent(store)
  }
})
