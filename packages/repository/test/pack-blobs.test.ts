import { test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdir, readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { randomBytes } from 'node:crypto'
import type { ShardSites, StripeRecord } from '@resilien/types'
import { BlobType, backup, restore } from '../src/index.js'
import type { Repository } from '../src/index.js'
import { newRepository } from './helpers.js'

const noCheck = { redundancyCheck: async () => undefined }
const KiB = 1024

/** Every whole shard the sites hand out, with its size then. */
function recordWholeGets (sites: ShardSites): Array<{ id: string, bytes: Uint8Array, size: number }> {
  const got: Array<{ id: string, bytes: Uint8Array, size: number }> = []
  const get = sites.get.bind(sites)
  sites.get = async (site, id, range, options) => {
    const bytes = await get(site, id, range, options)
    if (bytes !== undefined && range === undefined) got.push({ id, bytes, size: bytes.byteLength })
    return bytes
  }
  return got
}

/** A repository with one 600 KB file backed up: its data pack's shards are well over 64 KiB. */
async function backedUp (t: Parameters<typeof newRepository>[0]): Promise<{ repo: Repository, src: string, data: Buffer, stripe: StripeRecord, dir: string, stores: Awaited<ReturnType<typeof newRepository>>['stores'] }> {
  const { repo, catalog, dir, stores } = await newRepository(t)
  const src = join(dir, 'src')
  await mkdir(src)
  const data = randomBytes(600_000)
  await writeFile(join(src, 'photo.jpg'), data)
  await backup(repo, { paths: [src], ...noCheck })
  let largest: StripeRecord | undefined
  for await (const stripe of catalog.stripes(repo.id)) if (stripe.shardLength > (largest?.shardLength ?? 0)) largest = stripe
  assert.ok(largest !== undefined && largest.shardLength > 64 * KiB, 'a data pack with large shards')
  return { repo, src, data, stripe: largest, dir, stores }
}

test('withPackBlobs: the views hold the pack\'s bytes inside `use`; then the shards it fetched are released, also when `use` throws', async (t) => {
  const { repo, stripe } = await backedUp(t)
  const got = recordWholeGets(repo.components.sites)
  const ref = { id: new Uint8Array(32), type: BlobType.data, pack: stripe.pack, offset: 1000, length: 100 }
  const shard0 = stripe.shards[0] as StripeRecord['shards'][number]
  const stored = await repo.components.sites.get(shard0.site, shard0.id)
  assert.ok(stored !== undefined)
  got.length = 0

  const copy = await repo.reader.withPackBlobs(stripe.pack, [ref], {}, (sealed) => {
    assert.equal(sealed.length, 1)
    assert.equal(got.length, 1, 'one data shard fetched')
    return Buffer.from(sealed[0] as Uint8Array)
  })
  assert.deepEqual(copy, Buffer.from(stored.subarray(1000, 1100)))
  assert.equal(got[0]?.size, stripe.shardLength)
  assert.equal(got[0]?.bytes.byteLength, 0, 'the fetched shard is released (detached) once `use` settles')

  got.length = 0
  await assert.rejects(repo.reader.withPackBlobs(stripe.pack, [ref], {}, () => { throw new Error('use failed') }), /use failed/)
  assert.equal(got.length, 1)
  assert.equal(got[0]?.bytes.byteLength, 0, 'released after a failure too')
})

test('withPackBlobs: with a data shard lost, the rebuilt shard and the fetched ones are the caller\'s, and released after `use`', async (t) => {
  const { repo, stripe, stores } = await backedUp(t)
  const shard0 = stripe.shards[0] as StripeRecord['shards'][number]
  const before = await repo.components.sites.get(shard0.site, shard0.id)
  assert.ok(before !== undefined)
  await stores.get(shard0.site)?.delete(shard0.id)
  const got = recordWholeGets(repo.components.sites)
  const ref = { id: new Uint8Array(32), type: BlobType.data, pack: stripe.pack, offset: 1000, length: 100 }
  let owned: readonly Uint8Array[] = []
  const copy = await repo.reader.withPackBlobs(stripe.pack, [ref], {}, (sealed, mine) => {
    owned = mine
    assert.ok(mine.some((s) => s.buffer === (sealed[0] as Uint8Array).buffer), 'the blob is a view of a shard the caller owns (rebuilt)')
    return Buffer.from(sealed[0] as Uint8Array)
  })
  assert.deepEqual(copy, Buffer.from(before.subarray(1000, 1100)), 'the bytes of the lost shard, rebuilt from parity')
  assert.ok(owned.length >= 2, 'the shards fetched for the rebuild and the rebuilt one')
  for (const s of owned) assert.equal(s.byteLength, 0, 'released')
  for (const g of got) assert.equal(g.bytes.byteLength, 0, `fetched shard ${g.id} released`)
})

test('a restore releases every data shard it fetched once its blobs are copied, and restores the bytes', async (t) => {
  const { repo, src, data, dir } = await backedUp(t)
  const got = recordWholeGets(repo.components.sites)
  await restore(repo, { snapshot: 'latest', target: join(dir, 'out') })
  assert.ok((await readFile(join(dir, 'out', src, 'photo.jpg'))).equals(data))
  const large = got.filter((g) => g.size >= 64 * KiB)
  assert.ok(large.length >= 1, 'the data pack\'s shards were fetched whole')
  for (const g of large) assert.equal(g.bytes.byteLength, 0, `shard ${g.id} is released`)
})
