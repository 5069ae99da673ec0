import '@resilien/polyfill'
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { sendBodyAndAnswer, serve } from '../src/exchange.js'
import { sendHeader } from '../src/frames.js'
import { internals } from '../src/host.js'
import { readResponse } from '../src/remote-error.js'
import { StreamReader } from '../src/stream-reader.js'
import { closeWrite, sendBounded } from '../src/stream-writer.js'
import { connectedPair, lines, patternBytes } from './helpers.js'

const MiB = 1024 * 1024
const TEST_PROTOCOL = '/resilien/test-exchange/1'
/** Stands in for WRITE_TIMEOUT_MS (30 s) so that the test takes a moment. */
const SHORT_WRITE_TIMEOUT_MS = 300

test('an answer the client stops reading is cut by a reset at the write timeout, with no error frame inside its body', async (t) => {
  const { client, server } = await connectedPair(t)
  const log = lines()
  // Past the 8 MiB stream window and the server's 1 MiB write buffer: the server's writes stall.
  const body = patternBytes(32 * MiB, 4)
  const timedOut = Promise.withResolvers<void>()
  serve(server, { protocol: TEST_PROTOCOL, maxInboundStreams: 1, log: log.log }, async ({ stream }) => {
    sendHeader(stream, { ok: true, bytes: body.byteLength })
    try {
      await sendBounded(stream, body, undefined, SHORT_WRITE_TIMEOUT_MS)
    } finally {
      timedOut.resolve()
    }
  })
  const stream = await internals(client).openStream(server.peerId, TEST_PROTOCOL)
  // Attached but not read: the stream pauses at the reader's high water, the window closes.
  const reader = new StreamReader(stream)
  sendHeader(stream, { op: 'answer-me' })
  await closeWrite(stream)
  await timedOut.promise
  const header = await readResponse(reader)
  assert.equal(header.bytes, body.byteLength)
  let received = 0
  await assert.rejects(async () => {
    for (;;) {
      const chunk = await reader.readSome(MiB)
      if (chunk === undefined) break
      // Every byte after the header is the body's: an error frame here would be read as shard bytes.
      assert.ok(Buffer.from(chunk).equals(body.subarray(received, received + chunk.byteLength)), `bytes at ${received} are not the body's`)
      received += chunk.byteLength
    }
  }, /reset|closed before/, 'the stream ends in a reset, not in a clean end after an error frame')
  assert.ok(received < body.byteLength)
  assert.match(log.lines.join('\n'), /timeout: the peer took no data/)
})

test('the answer to a body that crosses a slow link in several read timeouts still arrives; a silent peer still times out', async (t) => {
  const { client, server } = await connectedPair(t)
  // Past the 8 MiB stream window: most of the body waits on the server's slow reads.
  const body = patternBytes(24 * MiB, 5)
  const readTimeoutStandInMs = 300
  const testOver = Promise.withResolvers<void>()
  t.after(() => { testOver.resolve() })
  serve(server, { protocol: TEST_PROTOCOL, maxInboundStreams: 4, log: lines().log }, async ({ stream, reader, header }) => {
    if (header.op === 'stay-silent') return await testOver.promise
    let received = 0
    for (;;) {
      const chunk = await reader.readSome(MiB)
      if (chunk === undefined) break
      const before = received
      received += chunk.byteLength
      // A slow link: 60 ms per MiB, the whole body about five times the client's read timeout.
      if (header.op === 'take-slowly' && Math.floor(received / MiB) > Math.floor(before / MiB)) await new Promise((resolve) => setTimeout(resolve, 60))
    }
    sendHeader(stream, { ok: true, received })
    // Answered, but the stream is never closed.
    if (header.op === 'answer-then-hold') await testOver.promise
  })
  const exchange = async (op: string, bytes: Uint8Array): Promise<{ reader: StreamReader, answer: Promise<unknown> }> => {
    const stream = await internals(client).openStream(server.peerId, TEST_PROTOCOL)
    const reader = new StreamReader(stream, { timeoutMs: readTimeoutStandInMs })
    t.after(() => { stream.abort(new Error('test over')) })
    sendHeader(stream, { op })
    return { reader, answer: sendBodyAndAnswer(client, stream, reader, bytes, undefined) }
  }
  const started = Date.now()
  assert.deepEqual(await (await exchange('take-slowly', body)).answer, { ok: true, received: body.byteLength })
  assert.ok(Date.now() - started > 3 * readTimeoutStandInMs, `the body took ${Date.now() - started} ms, not several read timeouts`)
  assert.equal(internals(client).bodiesInFlight.bytes, 0, 'an answered body no longer counts')
  // A one-byte body earns next to no extra wait: a peer that never answers fails at the timeout.
  await assert.rejects((await exchange('stay-silent', new Uint8Array(1))).answer, /no data from the peer for 0\.3\d* s/)
  // The extra wait a large body earned (33 s for 4 MiB at 1 Mbit/s) ends with its answer.
  const held = await exchange('answer-then-hold', patternBytes(4 * MiB, 6))
  assert.deepEqual(await held.answer, { ok: true, received: 4 * MiB })
  const heldFrom = Date.now()
  await assert.rejects(held.reader.atEnd(), /no data from the peer for 0\.3\d* s/)
  assert.ok(Date.now() - heldFrom < 5000, 'the end of the stream is waited for with the plain timeout')
})
