import '@resilien/polyfill'
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { Socket } from 'node:net'
import { createMemoryShardStore } from '@resilien/store'
import { serveShards, ShardClient } from '../src/index.js'
import { connectedPair, patternBytes, shardId } from './helpers.js'

const MiB = 1024 * 1024
/** Largest Noise message: without batching each one alone took 4-5 socket writes. */
const NOISE_MESSAGE_BYTES = 65535

test('a put leaves in fewer socket writes than Noise messages, and arrives whole', async (t) => {
  const { client, server } = await connectedPair(t)
  const store = createMemoryShardStore()
  serveShards(server, { store, isMember: () => true })
  const data = patternBytes(8 * MiB, 31)
  const proto = Socket.prototype as unknown as Record<'_write' | '_writev', (...args: unknown[]) => void>
  const write = proto._write
  const writev = proto._writev
  let calls = 0
  proto._write = function (this: Socket, ...args: unknown[]) { calls++; write.apply(this, args) }
  proto._writev = function (this: Socket, ...args: unknown[]) { calls++; writev.apply(this, args) }
  try {
    await new ShardClient(client).put(server.peerId, shardId(data), data)
  } finally {
    proto._write = write
    proto._writev = writev
  }
  // Both ends write through the hooks: the sender's body and the receiver's window updates.
  assert.ok(calls < data.byteLength / NOISE_MESSAGE_BYTES, `${calls} socket writes for ${data.byteLength} bytes`)
  assert.equal(shardId(await store.get(shardId(data)) as Uint8Array), shardId(data))
})
