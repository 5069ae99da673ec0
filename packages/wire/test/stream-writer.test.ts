import '@resilien/polyfill'
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { setTimeout as sleep } from 'node:timers/promises'
import { internals } from '../src/host.js'
import { WriteTimeoutError } from '../src/stream-errors.js'
import { StreamReader } from '../src/stream-reader.js'
import { sendBounded } from '../src/stream-writer.js'
import { connectedPair, patternBytes } from './helpers.js'

const MiB = 1024 * 1024
const TEST_PROTOCOL = '/resilien/test-writer/1'
/** Stands in for WRITE_TIMEOUT_MS (30 s) so that the test takes a moment. */
const SHORT_WRITE_TIMEOUT_MS = 400
/** Drains of the connection come far more often than the timeout while other streams are busy. */
const DRAIN_EVERY_MS = 50

test('a write that makes no progress times out even while the connection keeps draining', async (t) => {
  const { client, server } = await connectedPair(t)
  const outcome = Promise.withResolvers<unknown>()
  internals(server).handle(TEST_PROTOCOL, async (stream) => {
    // What the muxer does for all streams of a connection each time its socket drains.
    const drains = setInterval(() => { stream.dispatchEvent(new Event('drain')) }, DRAIN_EVERY_MS)
    try {
      // Past the 8 MiB stream window and the 1 MiB write buffer: the writes stall.
      await sendBounded(stream, patternBytes(32 * MiB, 5), undefined, SHORT_WRITE_TIMEOUT_MS)
      outcome.resolve('sent')
    } catch (err) {
      outcome.resolve(err)
    } finally {
      clearInterval(drains)
      stream.abort(new Error('test over'))
    }
  }, { maxInboundStreams: 1 })
  const stream = await internals(client).openStream(server.peerId, TEST_PROTOCOL)
  // Attached but never read: the stream pauses, the window closes.
  const reader = new StreamReader(stream)
  stream.send(Uint8Array.of(1))
  const result = await Promise.race([outcome.promise, sleep(10 * SHORT_WRITE_TIMEOUT_MS).then(() => 'still waiting')])
  assert.ok(result instanceof WriteTimeoutError, `the write ended with ${String(result)}`)
  reader.release()
})
