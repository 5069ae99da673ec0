import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import type { TestContext } from 'node:test'
import { ClosedError, CorruptShardError, InvalidInputError } from '@resilien/types'
import type { ShardStore } from '@resilien/types'
import { chunked, collectList, makeShard } from './helpers.js'

export interface OpenedStore {
  store: ShardStore
  cleanup: () => Promise<void>
}

const KiB = 1024

/**
 * Registers node:test tests of the whole ShardStore contract (packages/types/src/shard-store.ts)
 * against stores made by `open`; every test gets a fresh, empty store and cleans it up.
 */
export function shardStoreCompliance (name: string, open: () => Promise<OpenedStore>): void {
  async function fresh (t: TestContext): Promise<ShardStore> {
    const { store, cleanup } = await open()
    t.after(cleanup)
    return store
  }

  describe(`${name}: ShardStore compliance`, () => {
    test('a stored shard reads back byte for byte, at sizes from 1 byte to several blocks', async (t) => {
      const store = await fresh(t)
      for (const size of [1, 1000, 64 * KiB, 64 * KiB + 1, 300 * KiB + 7]) {
        const shard = makeShard(size)
        await store.put(shard.id, shard.bytes)
        assert.deepEqual(await store.get(shard.id), shard.bytes, `size ${size}`)
      }
    })

    test('a shard given as a stream of odd-sized chunks reads back byte for byte', async (t) => {
      const store = await fresh(t)
      const shard = makeShard(200 * KiB + 3)
      await store.put(shard.id, chunked(shard.bytes, 7 * KiB + 13), { size: shard.bytes.byteLength })
      assert.deepEqual(await store.get(shard.id), shard.bytes)
    })

    test('a stream shorter or longer than options.size is refused and leaves nothing', async (t) => {
      const store = await fresh(t)
      const shard = makeShard(50 * KiB)
      for (const size of [shard.bytes.byteLength - 1, shard.bytes.byteLength + 1]) {
        await assert.rejects(store.put(shard.id, chunked(shard.bytes, 4 * KiB), { size }), InvalidInputError)
      }
      assert.deepEqual(await store.has([shard.id]), [false])
      assert.equal((await store.stats()).shards, 0)
    })

    test('a stream without options.size, empty data and non-bytes are refused', async (t) => {
      const store = await fresh(t)
      const shard = makeShard(10)
      await assert.rejects(store.put(shard.id, chunked(shard.bytes, 4)), InvalidInputError)
      const empty = makeShard(0)
      await assert.rejects(store.put(empty.id, empty.bytes), InvalidInputError)
      await assert.rejects(store.put(shard.id, 'not bytes' as unknown as Uint8Array), InvalidInputError)
      await assert.rejects(store.put(shard.id, shard.bytes, { size: 11 }), InvalidInputError)
    })

    test('bytes that do not hash to the id are refused with CorruptShardError naming the id', async (t) => {
      const store = await fresh(t)
      const shard = makeShard(100 * KiB)
      const other = makeShard(100 * KiB)
      await assert.rejects(store.put(shard.id, other.bytes), (error: unknown) => {
        assert.ok(error instanceof CorruptShardError)
        assert.equal(error.shardId, shard.id)
        return true
      })
      await assert.rejects(store.put(shard.id, chunked(other.bytes, 16 * KiB), { size: other.bytes.byteLength }), CorruptShardError)
      assert.deepEqual(await store.has([shard.id, other.id]), [false, false])
      assert.equal(await store.get(shard.id), undefined)
      assert.deepEqual(await store.stats().then(({ shards, bytes }) => ({ shards, bytes })), { shards: 0, bytes: 0 })
    })

    test('malformed ids are refused with InvalidInputError by every method', async (t) => {
      const store = await fresh(t)
      const { id, bytes } = makeShard(10)
      for (const bad of [id.toUpperCase(), id.slice(1), `${id}0`, `${id.slice(1)}g`, '', 42 as unknown as string]) {
        await assert.rejects(store.put(bad, bytes), InvalidInputError, String(bad))
        await assert.rejects(store.get(bad), InvalidInputError)
        await assert.rejects(store.has([id, bad]), InvalidInputError)
        await assert.rejects(store.delete(bad), InvalidInputError)
        await assert.rejects(store.renew(bad), InvalidInputError)
      }
    })

    test('a missing shard is undefined to get, false to has, and deleting it is no error', async (t) => {
      const store = await fresh(t)
      const { id } = makeShard(10)
      assert.equal(await store.get(id), undefined)
      assert.equal(await store.get(id, { offset: 0, length: 1 }), undefined)
      assert.deepEqual(await store.has([id]), [false])
      assert.equal(await store.delete(id), false)
      assert.equal(await store.renew(id), false)
      assert.deepEqual(await store.has([id]), [false], 'renew does not make a shard')
    })

    test('putting or renewing a present shard makes it as fresh as a new one, and a delete older than it keeps it', async (t) => {
      const store = await fresh(t)
      const shard = makeShard(500)
      await store.put(shard.id, shard.bytes)
      const first = (await collectList(store.list()))[0]?.storedAt ?? 0
      await new Promise((resolve) => setTimeout(resolve, 5))
      const cutoff = Date.now()
      assert.equal(await store.renew(shard.id), true)
      const renewed = (await collectList(store.list()))[0]?.storedAt ?? 0
      assert.ok(renewed >= cutoff && renewed > first, `storedAt ${first} -> ${renewed}`)
      assert.equal(await store.delete(shard.id, { storedBefore: cutoff }), false, 'renewed after the cutoff: kept')
      assert.deepEqual(await store.get(shard.id), shard.bytes)
      await new Promise((resolve) => setTimeout(resolve, 5))
      const later = Date.now()
      await store.put(shard.id, shard.bytes)
      assert.ok(((await collectList(store.list()))[0]?.storedAt ?? 0) >= later, 'a put of a present shard renews it')
      assert.equal(await store.delete(shard.id, { storedBefore: later }), false)
      assert.equal(await store.delete(shard.id, { storedBefore: Date.now() + 1000 }), true)
      assert.deepEqual(await store.has([shard.id]), [false])
      assert.equal((await store.stats()).shards, 0)
    })

    test('putting a shard twice, or many times at once, stores it once', async (t) => {
      const store = await fresh(t)
      const shard = makeShard(80 * KiB)
      await store.put(shard.id, shard.bytes)
      await store.put(shard.id, shard.bytes)
      await Promise.all(Array.from({ length: 6 }, async (_, i) => {
        await (i % 2 === 0
          ? store.put(shard.id, shard.bytes)
          : store.put(shard.id, chunked(shard.bytes, 10 * KiB), { size: shard.bytes.byteLength }))
      }))
      const { shards, bytes } = await store.stats()
      assert.deepEqual({ shards, bytes }, { shards: 1, bytes: shard.bytes.byteLength })
      assert.deepEqual((await collectList(store.list())).map((info) => info.id), [shard.id])
      assert.deepEqual(await store.get(shard.id), shard.bytes)
    })

    test('concurrent puts of different and identical shards all land and are counted once each', async (t) => {
      const store = await fresh(t)
      const shards = Array.from({ length: 8 }, (_, i) => makeShard(20 * KiB + i))
      await Promise.all([...shards, ...shards.slice(0, 4)].map(async (shard) => { await store.put(shard.id, shard.bytes) }))
      const stats = await store.stats()
      assert.equal(stats.shards, shards.length)
      assert.equal(stats.bytes, shards.reduce((sum, shard) => sum + shard.bytes.byteLength, 0))
      for (const shard of shards) assert.deepEqual(await store.get(shard.id), shard.bytes)
    })

    test('range reads return exactly the requested bytes, inside and across blocks', async (t) => {
      const store = await fresh(t)
      const shard = makeShard(300 * KiB + 11)
      const size = shard.bytes.byteLength
      await store.put(shard.id, shard.bytes)
      const ranges = [
        { offset: 0, length: 1 },
        { offset: 0, length: 64 * KiB },
        { offset: 5, length: 64 * KiB },
        { offset: 64 * KiB - 1, length: 2 },
        { offset: 100 * KiB, length: 150 * KiB },
        { offset: size - 1, length: 1 },
        { offset: 0, length: size },
        { offset: 17, length: 0 },
        { offset: size, length: 0 }
      ]
      for (const range of ranges) {
        const bytes = await store.get(shard.id, range)
        assert.deepEqual(bytes, shard.bytes.slice(range.offset, range.offset + range.length), JSON.stringify(range))
      }
    })

    test('ranges outside the shard or of the wrong form are refused with InvalidInputError', async (t) => {
      const store = await fresh(t)
      const shard = makeShard(1000)
      await store.put(shard.id, shard.bytes)
      const bad = [
        { offset: 0, length: 1001 },
        { offset: 1000, length: 1 },
        { offset: 999, length: 2 },
        { offset: -1, length: 1 },
        { offset: 0, length: -1 },
        { offset: 0.5, length: 1 },
        { offset: Number.NaN, length: 1 },
        { offset: 0 } as unknown as { offset: number, length: number }
      ]
      for (const range of bad) {
        await assert.rejects(store.get(shard.id, range), InvalidInputError, JSON.stringify(range))
      }
    })

    test('has answers many ids in one call, in their order', async (t) => {
      const store = await fresh(t)
      const a = makeShard(100)
      const b = makeShard(200)
      const c = makeShard(300)
      await store.put(a.id, a.bytes)
      await store.put(c.id, c.bytes)
      assert.deepEqual(await store.has([a.id, b.id, c.id, a.id]), [true, false, true, true])
      assert.deepEqual(await store.has([]), [])
    })

    test('delete removes a shard and its count, and the shard can be stored again', async (t) => {
      const store = await fresh(t)
      const keep = makeShard(1000)
      const drop = makeShard(2000)
      await store.put(keep.id, keep.bytes)
      await store.put(drop.id, drop.bytes)
      assert.equal(await store.delete(drop.id), true)
      assert.equal(await store.get(drop.id), undefined)
      assert.deepEqual(await store.has([keep.id, drop.id]), [true, false])
      const { shards, bytes } = await store.stats()
      assert.deepEqual({ shards, bytes }, { shards: 1, bytes: 1000 })
      await store.delete(drop.id)
      await store.put(drop.id, drop.bytes)
      assert.deepEqual(await store.get(drop.id), drop.bytes)
    })

    test('list gives every shard in id order with its size and the time it was stored', async (t) => {
      const store = await fresh(t)
      const before = Date.now()
      const shards = Array.from({ length: 12 }, (_, i) => makeShard(100 + i))
      for (const shard of shards) await store.put(shard.id, shard.bytes)
      const after = Date.now()
      const listed = await collectList(store.list())
      const expected = [...shards].sort((x, y) => (x.id < y.id ? -1 : 1))
      assert.deepEqual(listed.map(({ id, size }) => ({ id, size })), expected.map(({ id, bytes }) => ({ id, size: bytes.byteLength })))
      for (const info of listed) assert.ok(info.storedAt >= before && info.storedAt <= after, `storedAt ${info.storedAt}`)
      let seen = 0
      for await (const info of store.list()) {
        assert.equal(info.id, expected[seen]?.id)
        if (++seen === 3) break
      }
      assert.equal(seen, 3)
    })

    test('stats count shards and bytes, and freeBytes is a number when given', async (t) => {
      const store = await fresh(t)
      const empty = await store.stats()
      assert.deepEqual({ shards: empty.shards, bytes: empty.bytes }, { shards: 0, bytes: 0 })
      const a = makeShard(1234)
      const b = makeShard(4321)
      await store.put(a.id, a.bytes)
      await store.put(b.id, chunked(b.bytes, 1000), { size: 4321 })
      const stats = await store.stats()
      assert.deepEqual({ shards: stats.shards, bytes: stats.bytes }, { shards: 2, bytes: 5555 })
      if (stats.freeBytes !== undefined) assert.ok(Number.isSafeInteger(stats.freeBytes) && stats.freeBytes >= 0)
    })

    test('stored shards do not change when the caller reuses its buffers', async (t) => {
      const store = await fresh(t)
      const shard = makeShard(5000)
      const original = shard.bytes.slice()
      await store.put(shard.id, shard.bytes)
      shard.bytes.fill(0)
      const first = await store.get(shard.id)
      assert.deepEqual(first, original)
      first?.fill(1)
      assert.deepEqual(await store.get(shard.id), original)
    })

    test('an aborted signal stops a put before it stores anything', async (t) => {
      const store = await fresh(t)
      const shard = makeShard(5000)
      const controller = new AbortController()
      controller.abort()
      await assert.rejects(store.put(shard.id, shard.bytes, { signal: controller.signal }), { name: 'AbortError' })
      const streaming = new AbortController()
      async function * abortMidway (): AsyncGenerator<Uint8Array> {
        yield shard.bytes.slice(0, 1000)
        streaming.abort()
        yield shard.bytes.slice(1000)
      }
      await assert.rejects(store.put(shard.id, abortMidway(), { size: 5000, signal: streaming.signal }), { name: 'AbortError' })
      assert.deepEqual(await store.has([shard.id]), [false])
    })

    test('close is idempotent and every call after it fails with ClosedError', async (t) => {
      const store = await fresh(t)
      const shard = makeShard(100)
      await store.put(shard.id, shard.bytes)
      await Promise.all([store.close(), store.close()])
      await store.close()
      await assert.rejects(store.put(shard.id, shard.bytes), ClosedError)
      await assert.rejects(store.get(shard.id), ClosedError)
      await assert.rejects(store.has([shard.id]), ClosedError)
      await assert.rejects(store.delete(shard.id), ClosedError)
      await assert.rejects(store.renew(shard.id), ClosedError)
      await assert.rejects(store.stats(), ClosedError)
      await assert.rejects(collectList(store.list()), ClosedError)
    })

    test('close waits for puts under way, which complete', async (t) => {
      const store = await fresh(t)
      const shards = Array.from({ length: 4 }, () => makeShard(64 * KiB))
      const puts = shards.map(async (shard) => { await store.put(shard.id, shard.bytes) })
      await store.close()
      await Promise.all(puts)
    })
  })
}
