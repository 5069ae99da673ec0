import '@resilien/polyfill'
import { test } from 'node:test'
import assert from 'node:assert/strict'
import type { Stream } from '@libp2p/interface'
import { createMemoryShardStore } from '@resilien/store'
import { CatalogClient, serveCatalog, serveShards, ShardClient } from '../src/index.js'
import type { SyncableCatalog } from '../src/index.js'
import { BATCH_TARGET_BYTES, READ_HIGH_WATER, STREAM_WINDOW_BYTES, WRITE_CHUNK_BYTES, WRITE_HIGH_WATER } from '../src/constants.js'
import { internals } from '../src/host.js'
import { connectedPair, patternBytes, shardId, wrapStore } from './helpers.js'

const MiB = 1024 * 1024

/** Records what the client hands to its streams and the most its write buffers ever held. */
function watchSends (host: Parameters<typeof internals>[0]): { sent: () => number, peakBuffered: () => number, last: () => Stream | undefined } {
  const inner = internals(host)
  const open = inner.openStream.bind(inner)
  let sent = 0
  let peak = 0
  let last: Stream | undefined
  inner.openStream = async (...args) => {
    const stream = await open(...args)
    const send = stream.send.bind(stream)
    stream.send = (data) => {
      sent += data.byteLength
      const result = send(data)
      peak = Math.max(peak, stream.writeBufferLength)
      return result
    }
    last = stream
    return stream
  }
  return { sent: () => sent, peakBuffered: () => peak, last: () => last }
}

test('a stalled receiver holds the sender to a bounded buffer, and the shard still arrives whole', async (t) => {
  const { client, server } = await connectedPair(t)
  const inner = createMemoryShardStore()
  const stalled = Promise.withResolvers<void>()
  const release = Promise.withResolvers<void>()
  let consumed = 0
  const STALL_AFTER = 2 * MiB
  const slow = wrapStore(inner, {
    put: async (id, data, options) => {
      async function * throttled (): AsyncGenerator<Uint8Array> {
        for await (const chunk of data as AsyncIterable<Uint8Array>) {
          consumed += chunk.byteLength
          yield chunk
          if (consumed >= STALL_AFTER && consumed - chunk.byteLength < STALL_AFTER) {
            stalled.resolve()
            await release.promise
          }
        }
      }
      await inner.put(id, throttled(), options)
    }
  })
  serveShards(server, { store: slow, isMember: () => true })
  const watch = watchSends(client)
  const data = patternBytes(32 * MiB, 21)
  const id = shardId(data)
  const put = new ShardClient(client).put(server.peerId, id, data)
  await stalled.promise
  // The sender runs until the receiver's window is used up and its own bound is reached.
  for (let turns = 0; turns < 100_000 && (watch.last()?.writeBufferLength ?? 0) < WRITE_HIGH_WATER; turns++) {
    await new Promise((resolve) => setImmediate(resolve))
  }
  const outstanding = watch.sent() - consumed
  assert.ok(watch.peakBuffered() <= WRITE_HIGH_WATER + WRITE_CHUNK_BYTES, `sender buffered ${watch.peakBuffered()} bytes`)
  // Handed over beyond what the store took: the receiver's queue, one window in flight, the
  // sender's bounded buffer. Without backpressure it would be the whole rest of the shard.
  const bound = READ_HIGH_WATER + 2 * STREAM_WINDOW_BYTES + WRITE_HIGH_WATER + WRITE_CHUNK_BYTES
  assert.ok(outstanding <= bound, `${outstanding} bytes outstanding, bound ${bound}`)
  assert.ok(watch.sent() < data.byteLength / 2)
  release.resolve()
  await put
  assert.equal(shardId(await inner.get(id) as Uint8Array), id)
})

test('concurrent puts and gets to one peer queue beyond the per-peer limit instead of failing', async (t) => {
  const { client, server } = await connectedPair(t)
  const store = createMemoryShardStore()
  serveShards(server, { store, isMember: () => true })
  const shards = new ShardClient(client)
  const items = Array.from({ length: 24 }, (_, i) => patternBytes(256 * 1024 + i, 100 + i))
  await Promise.all(items.map(async (bytes) => { await shards.put(server.peerId, shardId(bytes), bytes) }))
  const back = await Promise.all(items.map(async (bytes) => await shards.get(server.peerId, shardId(bytes))))
  back.forEach((bytes, i) => { assert.equal(shardId(bytes as Uint8Array), shardId(items[i] as Uint8Array)) })
})

test('a slow puller holds the server back: it reads the log only a few batches ahead', async (t) => {
  const { client, server } = await connectedPair(t)
  const ENTRIES = 600
  const big = 'x'.repeat(60 * 1024)
  let served = 0
  const catalog: SyncableCatalog = {
    heads: async () => new Map(),
    entries: async function * (site, from) {
      for (let seq = from; seq <= ENTRIES; seq++) {
        served++
        yield { site, seq, big }
      }
    },
    ingest: async () => 0
  }
  serveCatalog(server, { catalog, isMember: () => true })
  const firstBatch = Promise.withResolvers<void>()
  const release = Promise.withResolvers<void>()
  const seqs: number[] = []
  const pull = new CatalogClient(client).pull(server.peerId, 'S', 1, async (entries) => {
    seqs.push(...entries.map((e) => (e as { seq: number }).seq))
    firstBatch.resolve()
    await release.promise
  })
  await firstBatch.promise
  // Let the server run until it stops reading the log (it waits on the stream).
  for (let still = 0, turns = 0, last = -1; still < 200 && turns < 100_000; turns++) {
    still = served === last ? still + 1 : 0
    last = served
    await new Promise((resolve) => setImmediate(resolve))
  }
  const ahead = served * big.length
  const bound = 2 * STREAM_WINDOW_BYTES + READ_HIGH_WATER + WRITE_HIGH_WATER + 2 * BATCH_TARGET_BYTES
  assert.ok(ahead <= bound, `the server read ${served} entries (${ahead} bytes) ahead, bound ${bound}`)
  assert.ok(served < ENTRIES / 2)
  release.resolve()
  assert.equal(await pull, ENTRIES)
  assert.deepEqual(seqs, Array.from({ length: ENTRIES }, (_, i) => i + 1))
})
