import { test } from 'node:test'
import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { mkdir, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { keyedHash } from '@resilien/hashing'
import { fromHex, toHex } from '@resilien/types'
import { BlobSaver } from '../src/blob-saver.js'
import { PackUploader } from '../src/pack-uploader.js'
import { Packer } from '../src/packer.js'
import type { FinishedPack } from '../src/packer.js'
import { compressChunk } from '@resilien/compression'
import { backup } from '../src/backup.js'
import { BlobType, ID_LENGTH } from '../src/format.js'
import { decodeIndexObject } from '../src/index-object.js'
import { sealBlobsInto, sealedBound } from '../src/seal-job.js'
import { SealPool } from '../src/seal-pool.js'
import { newRepository } from './helpers.js'

test('a whole file sealed before the claim: only the chosen blobs are packed, each under its own id', async (t) => {
  const { repo } = await newRepository(t)
  const saver = new BlobSaver(repo, {})
  const plains = [randomBytes(3_000), randomBytes(60_000), randomBytes(7_000), randomBytes(11_000)]
  const ids = Buffer.concat(plains.map((p) => keyedHash(repo.keys.chunkIdKey, p)))
  const lengths = plains.map((p) => p.byteLength)
  // The second chunk is claimed first (another file in flight had it): the whole file's claim leaves it out.
  assert.deepEqual(await saver.claim(ids.subarray(ID_LENGTH, 2 * ID_LENGTH), [lengths[1] as number]), [0])
  const chosen = await saver.claim(ids, lengths)
  assert.deepEqual(chosen, [0, 2, 3])
  const sealed = new Uint8Array(sealedBound(lengths))
  const sealedLengths = sealBlobsInto(BlobType.data, repo.keys.dataKey, ids, plains, sealed) as number[]
  const picked = chosen.map((i) => ids.subarray(i * ID_LENGTH, (i + 1) * ID_LENGTH))
  await saver.absorbSealed(picked, chosen.map((i) => lengths[i] as number), sealed, sealedLengths, chosen)
  await saver.finish()
  const packed = chosen.reduce((n, i) => n + (sealedLengths[i] as number), 0)
  assert.ok(saver.stats.packedBytes >= packed && saver.stats.packedBytes < packed + (sealedLengths[1] as number), 'the unchosen blob is not packed')
  for (const i of chosen) {
    assert.ok(Buffer.from(await repo.readBlob(toHex(ids.subarray(i * ID_LENGTH, (i + 1) * ID_LENGTH)), BlobType.data)).equals(plains[i] as Buffer), `chunk ${i}`)
  }
  await assert.rejects(saver.absorbSealed(picked, [1, 2, 3], sealed, sealedLengths, [0, 2]), /sealed 2 of the 3 chunks/)
})

test('a chunk whose pack is indexed while another lookup of it is under way is not claimed again', async (t) => {
  const { repo } = await newRepository(t)
  let packStored!: () => void
  const stored = new Promise<void>((resolve) => { packStored = resolve })
  const saver = new BlobSaver(repo, { onPackStored: () => packStored() })
  const shared = randomBytes(1_000)
  const sharedId = keyedHash(repo.keys.chunkIdKey, shared)
  // The first lookup reads the index now and answers only after the gate opens, as LevelDB
  // answers from libuv's pool while the main thread goes on.
  let open!: () => void
  const gate = new Promise<void>((resolve) => { open = resolve })
  const lookUp = repo.liveLocations.bind(repo)
  let calls = 0
  repo.liveLocations = async (ids) => {
    const first = calls++ === 0
    const answer = await lookUp(ids)
    if (first) await gate
    return answer
  }
  const late = saver.claim(sharedId, [shared.byteLength])
  // Another file in flight has the same chunk, and enough random data to fill a pack: stored and indexed meanwhile.
  await saver.save(BlobType.data, [shared, ...Array.from({ length: 10 }, () => randomBytes(500_000))])
  await stored
  assert.ok(await repo.index.get(sharedId) !== undefined, 'the chunk is indexed before the first lookup answers')
  open()
  assert.deepEqual(await late, [], 'the late answer does not make the chunk new again')
  await saver.finish()
  assert.equal(saver.stats.newChunks, 11)
})

test('a backup stores at most maxPacksInFlight packs at once', async (t) => {
  /**
   * The most shard puts under way at once, each held 150 ms so that packs overlap when allowed,
   * even on a loaded machine where sealing the next 4 MiB pack takes tens of milliseconds.
   */
  const measure = async (maxPacksInFlight?: number): Promise<number> => {
    let now = 0
    let most = 0
    const { repo, dir } = await newRepository(t, {
      wrapSites: (sites) => ({
        ...sites,
        put: async (site, id, data, o) => {
          most = Math.max(most, ++now)
          try {
            await sleep(150)
            await sites.put(site, id, data, o)
          } finally {
            now--
          }
        }
      })
    })
    const src = join(dir, 'src')
    await mkdir(src)
    // Random bytes do not compress: about five 4 MiB packs.
    await writeFile(join(src, 'big.bin'), randomBytes(20 * 1024 * 1024))
    await backup(repo, { paths: [src], redundancyCheck: async () => undefined, ...(maxPacksInFlight === undefined ? {} : { maxPacksInFlight }) })
    return most
  }
  // k + m = 3 shards per pack.
  assert.equal(await measure(1), 3, 'one pack: its three shards')
  assert.ok(await measure() > 3, 'by default several packs overlap')
})

test('a backup fills no new pack while a finished one waits for the store: pack buffers stay at two with one in flight', async (t) => {
  /** Distinct pack buffers the data shards of every put were views of (parity shards are smaller blocks of their own). */
  const measure = async (): Promise<number> => {
    const buffers = new Set<ArrayBufferLike>()
    const { repo, dir } = await newRepository(t, {
      wrapSites: (sites) => ({
        ...sites,
        put: async (site, id, data, o) => {
          const first = buffers.size === 0
          if (data instanceof Uint8Array && data.buffer.byteLength >= 4 * 1024 * 1024) buffers.add(data.buffer)
          // A slow store, slowest for the first pack: the workers seal the next packs' blobs
          // long before it is stored, so every caller would fill a buffer of its own meanwhile.
          await sleep(first ? 500 : 60)
          await sites.put(site, id, data, o)
        }
      })
    })
    const src = join(dir, 'src')
    await mkdir(src)
    // Several files in flight at once, each adding its sealed blobs on its own: about eight
    // 4 MiB packs of random bytes.
    for (let i = 0; i < 8; i++) await writeFile(join(src, `f${i}.bin`), randomBytes(4 * 1024 * 1024))
    const pool = new SealPool(2)
    t.after(async () => pool.close())
    await backup(repo, { paths: [src], redundancyCheck: async () => undefined, maxPacksInFlight: 1, sealPool: pool })
    return buffers.size
  }
  const used = await measure()
  // One pack in flight and one filling (or finished and waiting): two buffers reused over and over.
  assert.equal(used, 2, `${used} pack buffers`)
})

test('the uploader settles the packs in flight when asked, without waiting for packs submitted after', async (t) => {
  const held: Array<() => void> = []
  let started = 0
  let holding = true
  const { repo } = await newRepository(t, {
    wrapSites: (sites) => ({
      ...sites,
      put: async (site, id, data, o) => {
        // The first pack's three shards go through; later ones wait while holding: the second pack stays in flight.
        if (++started > 3 && holding) await new Promise<void>((resolve) => held.push(resolve))
        await sites.put(site, id, data, o)
      }
    })
  })
  const uploader = new PackUploader(repo.record, { ...repo.components, index: repo.index }, { maxInFlight: 3 })
  const packOf = (): FinishedPack => {
    const packer = new Packer(repo.keys.dataKey, repo.keys.metadataKey, repo.record.packSize, repo.maxBlobSize + 64, repo.record.k)
    const plain = randomBytes(10_000)
    packer.add(BlobType.data, keyedHash(repo.keys.chunkIdKey, plain), compressChunk(plain), plain.byteLength)
    return packer.finish() as FinishedPack
  }
  await uploader.submit(packOf())
  const first = uploader.settled()
  await uploader.submit(packOf())
  await first
  assert.equal(uploader.packs, 1, 'the first pack is stored; the second is still in flight')
  let flushed = false
  const all = uploader.flush().then(() => { flushed = true })
  await sleep(50)
  assert.equal(flushed, false, 'flush waits for the second pack')
  holding = false
  for (const release of held.splice(0)) release()
  await all
  assert.equal(uploader.packs, 2)
})

test('two savers of one repository publishing at once list each pack in one index object', async (t) => {
  const { repo } = await newRepository(t)
  const fill = async (saver: BlobSaver): Promise<void> => {
    const plains = [randomBytes(30_000), randomBytes(40_000)]
    const ids = Buffer.concat(plains.map((p) => keyedHash(repo.keys.chunkIdKey, p)))
    const lengths = plains.map((p) => p.byteLength)
    const chosen = await saver.claim(ids, lengths)
    const sealed = new Uint8Array(sealedBound(lengths))
    const sealedLengths = sealBlobsInto(BlobType.data, repo.keys.dataKey, ids, plains, sealed) as number[]
    await saver.absorbSealed(chosen.map((i) => ids.subarray(i * ID_LENGTH, (i + 1) * ID_LENGTH)), lengths, sealed, sealedLengths)
  }
  // Two backups of one repository at once (the node shares one open repository between them).
  const savers = [new BlobSaver(repo, {}), new BlobSaver(repo, {})]
  for (const saver of savers) await fill(saver)
  await Promise.all(savers.map(async (saver) => { await saver.finish() }))
  const listings = new Map<string, number>()
  let indexObjects = 0
  for await (const obj of repo.components.catalog.indexObjects(repo.id)) {
    indexObjects++
    const plain = await repo.reader.read({ id: fromHex(obj.index), type: BlobType.index, ...obj.location })
    for (const { pack } of decodeIndexObject(plain).packs) listings.set(pack, (listings.get(pack) ?? 0) + 1)
  }
  assert.equal(listings.size, 2, 'each saver stored one data pack')
  assert.deepEqual([...listings.values()], [1, 1], 'no pack is listed twice')
  // Two savers drafting the same listing write the same index object (one catalog row) twice,
  // the second into a pack nothing lists: every index pack written is in the catalog.
  const indexPacksWritten = savers.reduce((sum, saver) => sum + saver.stats.packs, 0) - listings.size
  assert.equal(indexPacksWritten, indexObjects, 'no index pack outside the catalog')
})
