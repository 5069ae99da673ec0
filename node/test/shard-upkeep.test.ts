import '@resilien/polyfill'
import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from 'node:test'
import type { TestContext } from 'node:test'
import { activeErasure } from '@resilien/erasure'
import { hash } from '@resilien/hashing'
import { createDiskShardStore, createMemoryShardStore } from '@resilien/store'
import type { DiskShardStore } from '@resilien/store'
import { toHex } from '@resilien/types'
import type { ShardSites, ShardStore, StripeRecord } from '@resilien/types'
import { ScrubWorker } from '../src/cluster/scrub.js'
import { ShardGc } from '../src/cluster/shard-gc.js'

async function diskStore (t: TestContext): Promise<{ store: DiskShardStore, dir: string }> {
  const dir = await mkdtemp(join(tmpdir(), 'resilien-upkeep-'))
  const store = await createDiskShardStore({ path: join(dir, 'store'), reserveBytes: 0 })
  t.after(async () => {
    await store.close()
    await rm(dir, { recursive: true, force: true })
  })
  return { store, dir }
}

function shard (size: number): { id: string, bytes: Uint8Array } {
  const bytes = new Uint8Array(randomBytes(size))
  return { id: toHex(hash(bytes)), bytes }
}

async function * sorted (ids: string[], beforeEach?: (id: string) => Promise<void>): AsyncGenerator<string> {
  for (const id of [...ids].sort()) {
    await beforeEach?.(id)
    yield id
  }
}

const quiet = (): void => {}

test('shard GC deletes what no stripe places here, keeps what is placed or young, and keeps a shard renewed during its pass', async (t) => {
  const { store } = await diskStore(t)
  const [placed, orphan, renewed] = [shard(300), shard(400), shard(500)]
  for (const s of [placed, orphan, renewed]) await store.put(s.id, s.bytes)
  await new Promise((resolve) => setTimeout(resolve, 10))
  // A peer puts `renewed` again just after the pass listed it as old (the shard is already
  // here, so the peer sends no bytes and records it here): the pass must keep it.
  let renewedOnce = false
  const racing = {
    list: async function * () {
      for await (const info of store.list()) {
        if (info.id === renewed.id) {
          await store.put(renewed.id, renewed.bytes)
          renewedOnce = true
        }
        yield info
      }
    },
    delete: store.delete.bind(store)
  }
  const catalog = { placedShards: () => sorted([placed.id]) }
  const gc = new ShardGc({ self: 'me', store: racing, catalog, grace: 0, interval: 60_000, log: quiet })
  const report = await gc.runPass()
  assert.equal(renewedOnce, true)
  assert.deepEqual(await store.has([placed.id, orphan.id, renewed.id]), [true, false, true])
  assert.deepEqual(report, { kept: 2, deleted: 1, deletedBytes: 400 })
  const young = new ShardGc({ self: 'me', store, catalog: { placedShards: () => sorted([]) }, grace: 60_000, interval: 60_000, log: quiet })
  assert.equal((await young.runPass()).deleted, 0, 'nothing is older than the grace period')
})

test('scrub finds a shard the catalog places here that the store lacks, and rebuilds it from the other sites', async (t) => {
  const { store, dir } = await diskStore(t)
  const k = 2
  const m = 1
  const data = [new Uint8Array(randomBytes(4096)), new Uint8Array(randomBytes(4096))]
  const parity = await activeErasure.encode(k, m, data)
  const all = [...data, ...parity]
  const siteOf = ['b', 'c', 'me']
  const stripe: StripeRecord = {
    repo: 'r'.repeat(64),
    pack: 'p'.repeat(64),
    k,
    m,
    packLength: 8192,
    shardLength: 4096,
    shards: all.map((bytes, i) => ({ id: toHex(hash(bytes)), site: siteOf[i] as string, size: bytes.byteLength }))
  }
  const others = new Map<string, ShardStore>([['b', createMemoryShardStore()], ['c', createMemoryShardStore()]])
  for (let i = 0; i < 2; i++) await others.get(siteOf[i] as string)?.put(stripe.shards[i]?.id as string, all[i] as Uint8Array)
  const sites: ShardSites = {
    put: async (site, id, bytes) => { await (site === 'me' ? store : others.get(site))?.put(id, bytes) },
    get: async (site, id, range) => await (site === 'me' ? store : others.get(site))?.get(id, range),
    has: async (site, ids) => await (site === 'me' ? store : others.get(site))?.has(ids) ?? ids.map(() => false)
  }
  const lines: string[] = []
  const missing = stripe.shards[2]?.id as string
  const scrub = new ScrubWorker({
    dataDir: dir,
    self: 'me',
    store,
    catalog: {
      stripes: async function * () { yield stripe },
      placedShards: () => sorted([missing])
    },
    sites,
    isUp: () => true,
    rate: 0,
    interval: 60_000,
    log: (line) => lines.push(line)
  })
  t.after(async () => { await scrub.stop() })
  assert.deepEqual(await store.has([missing]), [false])
  await scrub.start()
  const deadline = Date.now() + 10_000
  while ((await store.has([missing]))[0] !== true && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20))
  assert.deepEqual(await store.get(missing), all[2], 'the rebuilt shard is byte for byte the lost one')
  assert.equal(scrub.stats.missingFound, 1)
  assert.ok(lines.some((l) => l.includes(`shard ${missing} is placed here but missing`)), lines.join('\n'))
})
