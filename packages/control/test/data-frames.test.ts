import { test } from 'node:test'
import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { MAX_DATA_FRAME_BYTES, ResponseFrameReader, dataFrameHeader } from '../src/index.js'
import type { ResponseFrame } from '../src/index.js'

/** What a frame is, independent of how it arrived (a view or a gathered copy). */
type Plain = { line: string } | { data: string }

function plain (frames: ResponseFrame[]): Plain[] {
  return frames.map((f) => 'line' in f ? { line: f.line } : { data: f.data.toString('hex') })
}

/** Feeds `body` to a fresh reader in pieces cut at `cuts` (sorted offsets) and collects every frame. */
function readInPieces (body: Buffer, cuts: number[]): Plain[] {
  const reader = new ResponseFrameReader()
  const frames: ResponseFrame[] = []
  let from = 0
  for (const cut of [...cuts, body.length]) {
    // A copy per piece, as the socket gives: a view handed on must not depend on the whole body.
    frames.push(...reader.push(Buffer.from(body.subarray(from, cut))))
    from = cut
  }
  const last = reader.end()
  if (last !== undefined) frames.push(last)
  return plain(frames)
}

function dataFrame (bytes: Buffer): Buffer {
  return Buffer.concat([dataFrameHeader(bytes.length), bytes])
}

/** Lines with multi-byte characters, data with zero bytes and newlines in it, an empty frame, a last line without its newline. */
function sampleBody (dataBytes: number): { body: Buffer, expected: Plain[] } {
  const data = randomBytes(dataBytes)
  data[0] = 0
  data[1] = 0x0a
  const small = Buffer.from([0x0a, 0, 0x7b])
  const body = Buffer.concat([
    Buffer.from('{"event":{"type":"progress","file":"café ✓ 😀"}}\n', 'utf8'),
    dataFrame(data),
    dataFrame(Buffer.alloc(0)),
    Buffer.from('\n{"item":1}\n', 'utf8'),
    dataFrame(small),
    Buffer.from('{"result":"ünïcode"}', 'utf8')
  ])
  const expected: Plain[] = [
    { line: '{"event":{"type":"progress","file":"café ✓ 😀"}}' },
    { data: data.toString('hex') },
    { data: '' },
    { line: '{"item":1}' },
    { data: small.toString('hex') },
    { line: '{"result":"ünïcode"}' }
  ]
  return { body, expected }
}

test('lines and data frames come out whole however the body is cut', () => {
  const { body, expected } = sampleBody(40)
  assert.deepEqual(readInPieces(body, []), expected)
  for (let cut = 1; cut < body.length; cut++) assert.deepEqual(readInPieces(body, [cut]), expected, `cut at ${cut}`)
  for (let a = 1; a < body.length; a += 3) {
    for (let b = a + 1; b < body.length; b += 5) assert.deepEqual(readInPieces(body, [a, b]), expected, `cuts at ${a}, ${b}`)
  }
  assert.deepEqual(readInPieces(body, Array.from({ length: body.length - 1 }, (_, i) => i + 1)), expected, 'one byte at a time')
})

test('a large data frame over many socket-sized pieces arrives byte for byte', () => {
  const { body, expected } = sampleBody(300_000)
  for (const piece of [1000, 16 * 1024, 65536, 65536 + 7]) {
    const cuts: number[] = []
    for (let at = piece; at < body.length; at += piece) cuts.push(at)
    assert.deepEqual(readInPieces(body, cuts), expected, `pieces of ${piece} bytes`)
  }
})

test('a frame that lies in one piece is handed on as a view, not copied', () => {
  // Larger than Node's pool slices, so that a copy could not share the piece's buffer by chance.
  const piece = dataFrame(Buffer.alloc(10_000, 1))
  const [frame] = [...new ResponseFrameReader().push(piece)]
  assert.ok(frame !== undefined && 'data' in frame)
  assert.equal(frame.data.buffer, piece.buffer)
  assert.equal(frame.data.byteOffset, piece.byteOffset + 5)
})

test('an older node\'s base64 data lines pass through as lines', () => {
  const body = Buffer.from('{"data":"aGVsbG8="}\n{"result":null}\n')
  assert.deepEqual(readInPieces(body, [7]), [{ line: '{"data":"aGVsbG8="}' }, { line: '{"result":null}' }])
})

test('a length above the limit is refused with one line', () => {
  const header = dataFrameHeader(MAX_DATA_FRAME_BYTES + 1)
  const reader = new ResponseFrameReader()
  assert.throws(() => [...reader.push(Buffer.concat([Buffer.from('{"item":1}\n'), header]))], /data frame of 16777217 bytes.*corrupt/)
})

test('a body cut inside a data frame ends without that frame', () => {
  const { body } = sampleBody(1000)
  const reader = new ResponseFrameReader()
  const frames = plain([...reader.push(body.subarray(0, 500))])
  assert.equal(reader.end(), undefined)
  assert.equal(frames.length, 1)
  assert.ok('line' in (frames[0] as Plain))
})
