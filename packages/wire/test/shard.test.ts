import '@resilien/polyfill'
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { createDiskShardStore, createMemoryShardStore } from '@resilien/store'
import { CorruptShardError, InvalidInputError } from '@resilien/types'
import { RemoteError, serveShards, SHARD_PROTOCOL, ShardClient } from '../src/index.js'
import { encodeHeader } from '../src/frames.js'
import { readResponse } from '../src/remote-error.js'
import { internals } from '../src/host.js'
import { StreamReader } from '../src/stream-reader.js'
import { connectedPair, lines, patternBytes, shardId, tempDir, wrapStore } from './helpers.js'

const MiB = 1024 * 1024

test('put, get, range get and has round-trip shards; a 32 MiB shard arrives with its hash intact', async (t) => {
  const { client, server } = await connectedPair(t)
  const store = createMemoryShardStore()
  serveShards(server, { store, isMember: () => true })
  const shards = new ShardClient(client)
  const small = patternBytes(1000, 7)
  const big = patternBytes(32 * MiB, 8)
  await shards.put(server.peerId, shardId(small), small)
  await shards.put(server.peerId, shardId(big), big)
  // What the remote store holds hashes to the id: the bytes crossed intact.
  assert.equal(shardId(await store.get(shardId(big)) as Uint8Array), shardId(big))
  const back = await shards.get(server.peerId, shardId(big))
  assert.ok(back !== undefined)
  assert.equal(shardId(back), shardId(big))
  assert.deepEqual(await shards.get(server.peerId, shardId(small)), small)
  const range = await shards.get(server.peerId, shardId(big), { offset: 5 * MiB + 3, length: 3 * MiB })
  assert.deepEqual(range, big.subarray(5 * MiB + 3, 8 * MiB + 3))
  assert.deepEqual(await shards.get(server.peerId, shardId(big), { offset: 10, length: 0 }), new Uint8Array(0))
  const missing = shardId(patternBytes(10, 9))
  assert.equal(await shards.get(server.peerId, missing), undefined)
  assert.deepEqual(await shards.has(server.peerId, [shardId(small), missing, shardId(big)]), [true, false, true])
  assert.deepEqual(await shards.has(server.peerId, []), [])
})

test('has splits more than 4096 ids over several requests and keeps their order', async (t) => {
  const { client, server } = await connectedPair(t)
  const store = createMemoryShardStore()
  serveShards(server, { store, isMember: () => true })
  const held = patternBytes(100, 3)
  await store.put(shardId(held), held)
  const ids = Array.from({ length: 5000 }, (_, i) => shardId(patternBytes(8, i + 100)))
  ids[4500] = shardId(held)
  const answers = await new ShardClient(client).has(server.peerId, ids)
  assert.equal(answers.length, 5000)
  assert.deepEqual(answers.flatMap((a, i) => a ? [i] : []), [4500])
})

test('a range outside the shard is refused as malformed and the shard stays readable', async (t) => {
  const { client, server } = await connectedPair(t)
  const store = createMemoryShardStore()
  const log = lines()
  serveShards(server, { store, isMember: () => true, log: log.log })
  const shards = new ShardClient(client)
  const data = patternBytes(4096, 5)
  await shards.put(server.peerId, shardId(data), data)
  await assert.rejects(shards.get(server.peerId, shardId(data), { offset: 4000, length: 200 }), (err: unknown) => {
    assert.ok(err instanceof RemoteError)
    assert.equal(err.code, 'malformed')
    return true
  })
  assert.equal(log.lines.length, 1)
  assert.deepEqual(await shards.get(server.peerId, shardId(data)), data)
})

test('a put the remote already holds sends no body', async (t) => {
  const { client, server } = await connectedPair(t)
  const inner = createMemoryShardStore()
  let puts = 0
  const store = wrapStore(inner, {
    put: async (...args) => { puts++; await inner.put(...args) }
  })
  serveShards(server, { store, isMember: () => true })
  const shards = new ShardClient(client)
  const data = patternBytes(2 * MiB, 11)
  await shards.put(server.peerId, shardId(data), data)
  await shards.put(server.peerId, shardId(data), data)
  assert.equal(puts, 1)
})

test('members only: a non-member gets not-member on every op, and nothing changes', async (t) => {
  const { client, server } = await connectedPair(t)
  const store = createMemoryShardStore()
  const log = lines()
  serveShards(server, { store, isMember: (peer) => peer !== client.peerId, log: log.log })
  const shards = new ShardClient(client)
  const data = patternBytes(1000, 12)
  const notMember = (err: unknown): boolean => err instanceof RemoteError && err.code === 'not-member' && err.permanent
  await assert.rejects(shards.put(server.peerId, shardId(data), data), notMember)
  await assert.rejects(shards.get(server.peerId, shardId(data)), notMember)
  await assert.rejects(shards.has(server.peerId, [shardId(data)]), notMember)
  assert.deepEqual(await store.has([shardId(data)]), [false])
  assert.equal(log.lines.length, 3)
  assert.match(log.lines[0] as string, /not-member/)
})

test('a malformed header gets a malformed answer and a reset; the connection serves the next request', async (t) => {
  const { client, server } = await connectedPair(t)
  const store = createMemoryShardStore()
  const log = lines()
  serveShards(server, { store, isMember: () => true, log: log.log })
  const host = internals(client)
  const malformed = [
    encodeHeader({ op: 'put', id: 'ab', size: 10 }),
    encodeHeader({ op: 'put', id: 'a'.repeat(64), size: 64 * MiB + 1 }),
    encodeHeader({ op: 'get', id: 'a'.repeat(64), offset: 1 }),
    encodeHeader({ op: 'has', count: 4097 }),
    encodeHeader({ op: 'teleport' }),
    encodeHeader({ op: 'get', id: 'a'.repeat(64), extra: true }),
    new Uint8Array([0, 1, 0, 1, 0]), // announces 65537 bytes of header
    new Uint8Array([0, 0, 0, 3, 0x7b, 0x7d, 0xff]) // not UTF-8 JSON
  ]
  for (const frame of malformed) {
    const stream = await host.openStream(server.peerId, SHARD_PROTOCOL)
    const reader = new StreamReader(stream)
    stream.send(frame)
    await assert.rejects(readResponse(reader), (err: unknown) => err instanceof RemoteError && err.code === 'malformed')
    reader.release()
    stream.abort(new Error('test done'))
  }
  assert.equal(log.lines.length, malformed.length)
  assert.ok(client.isConnected(server.peerId))
  const data = patternBytes(1000, 13)
  await new ShardClient(client).put(server.peerId, shardId(data), data)
  assert.deepEqual(await store.has([shardId(data)]), [true])
})

test('a header cut short by a clean close is answered as malformed, not as an internal error', async (t) => {
  const { client, server } = await connectedPair(t)
  const store = createMemoryShardStore()
  const log = lines()
  serveShards(server, { store, isMember: () => true, log: log.log })
  const header = encodeHeader({ op: 'get', id: 'a'.repeat(64) })
  // Half a length prefix, and a whole prefix with half the header it announces.
  for (const cut of [2, 4 + 10]) {
    const stream = await internals(client).openStream(server.peerId, SHARD_PROTOCOL)
    const reader = new StreamReader(stream)
    stream.send(header.subarray(0, cut))
    await stream.close()
    await assert.rejects(readResponse(reader), (err: unknown) => err instanceof RemoteError && err.code === 'malformed' && /ended after/.test(err.message))
    reader.release()
  }
  assert.equal(log.lines.length, 2)
  assert.ok(log.lines.every((line) => /malformed/.test(line)), log.lines.join('\n'))
})

test('a put aborted mid-body leaves nothing on the receiver, and a retry stores the shard', async (t) => {
  const { client, server } = await connectedPair(t)
  const dir = await tempDir(t)
  const store = await createDiskShardStore({ path: join(dir, 'store'), reserveBytes: 0 })
  t.after(async () => { await store.close() })
  const firstBytes = Promise.withResolvers<void>()
  const failed = Promise.withResolvers<unknown>()
  const watched = wrapStore(store, {
    put: async (id, data, options) => {
      async function * tap (): AsyncGenerator<Uint8Array> {
        for await (const chunk of data as AsyncIterable<Uint8Array>) {
          firstBytes.resolve()
          yield chunk
        }
      }
      try {
        await store.put(id, tap(), options)
      } catch (err) {
        failed.resolve(err)
        throw err
      }
    }
  })
  const log = lines()
  serveShards(server, { store: watched, isMember: () => true, log: log.log })
  const shards = new ShardClient(client)
  const data = patternBytes(24 * MiB, 14)
  const id = shardId(data)
  const controller = new AbortController()
  const put = shards.put(server.peerId, id, data, { signal: controller.signal })
  await firstBytes.promise
  controller.abort(new Error('cut by the test'))
  await assert.rejects(put, /cut by the test/)
  assert.ok(await failed.promise instanceof Error, 'the store saw the body fail')
  assert.deepEqual(await store.has([id]), [false])
  assert.equal((await store.stats()).shards, 0)
  await shards.put(server.peerId, id, data)
  assert.deepEqual(await store.has([id]), [true])
  assert.equal(await store.verify(id), true)
})

test('a corrupt stored shard makes get throw CorruptShardError and return no bytes', async (t) => {
  const { client, server } = await connectedPair(t)
  const dir = await tempDir(t)
  const store = await createDiskShardStore({ path: join(dir, 'store'), reserveBytes: 0 })
  t.after(async () => { await store.close() })
  serveShards(server, { store, isMember: () => true, log: () => {} })
  const shards = new ShardClient(client)
  const data = patternBytes(MiB, 15)
  const id = shardId(data)
  await shards.put(server.peerId, id, data)
  const damaged = data.slice()
  damaged[1000] = (damaged[1000] as number) ^ 1
  await writeFile(join(dir, 'store', 'shards', id.slice(0, 2), id), damaged)
  await assert.rejects(shards.get(server.peerId, id), (err: unknown) => err instanceof CorruptShardError && err.shardId === id)
})

test('bytes that do not hash to the id are caught by the client even if the remote store lies', async (t) => {
  const { client, server } = await connectedPair(t)
  const data = patternBytes(4096, 16)
  const id = shardId(data)
  const lying = wrapStore(createMemoryShardStore(), {
    get: async () => { const bytes = data.slice(); bytes[0] = (bytes[0] as number) ^ 0xff; return bytes }
  })
  serveShards(server, { store: lying, isMember: () => true })
  await assert.rejects(new ShardClient(client).get(server.peerId, id), (err: unknown) => err instanceof CorruptShardError && err.shardId === id)
})

test('a body that does not hash to the id is refused as corrupt and not stored', async (t) => {
  const { client, server } = await connectedPair(t)
  const store = createMemoryShardStore()
  serveShards(server, { store, isMember: () => true, log: () => {} })
  const data = patternBytes(3 * MiB, 17)
  const wrongId = shardId(patternBytes(10, 18))
  await assert.rejects(new ShardClient(client).put(server.peerId, wrongId, data), (err: unknown) => err instanceof RemoteError && err.code === 'corrupt')
  assert.deepEqual(await store.has([wrongId]), [false])
})

test('the client refuses bad arguments locally', async (t) => {
  const { client, server } = await connectedPair(t)
  const shards = new ShardClient(client)
  await assert.rejects(shards.put(server.peerId, 'nope', new Uint8Array(1)), InvalidInputError)
  await assert.rejects(shards.put(server.peerId, 'a'.repeat(64), new Uint8Array(0)), InvalidInputError)
  await assert.rejects(shards.get(server.peerId, 'a'.repeat(64), { offset: -1, length: 1 }), InvalidInputError)
  await assert.rejects(shards.has(server.peerId, ['A'.repeat(64)]), InvalidInputError)
})
