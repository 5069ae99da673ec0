import assert from 'node:assert/strict'
import { createHash, randomBytes } from 'node:crypto'
import { test } from 'node:test'
import zlib from 'node:zlib'
import {
  COMPRESSED_FORMATS,
  ENTROPY_SKIP_BITS_PER_BYTE,
  looksIncompressible,
  sampleEntropy,
  sniffCompressedFormat
} from '../src/index.js'
import { pseudoText } from './helpers.js'

const CHUNK = 64 * 1024

function startingWith (header: readonly number[], body: Uint8Array): Uint8Array {
  const data = new Uint8Array(header.length + body.length)
  data.set(header)
  data.set(body, header.length)
  return data
}

/** A view that counts the bytes read through it. */
function counting (data: Uint8Array): { view: Uint8Array, reads: () => number } {
  let reads = 0
  const view = new Proxy(data, {
    get (target, property) {
      if (typeof property === 'string' && /^\d+$/.test(property)) reads++
      const value: unknown = Reflect.get(target, property, target)
      return typeof value === 'function' ? value.bind(target) : value
    }
  })
  return { view, reads: () => reads }
}

test('random bytes look incompressible', () => {
  assert.equal(looksIncompressible(randomBytes(CHUNK)), true)
  assert.equal(looksIncompressible(randomBytes(512 * 1024)), true)
  assert.ok(sampleEntropy(randomBytes(CHUNK)) > 7.9)
})

test('text, a SQL dump and base64 do not look incompressible', () => {
  assert.equal(looksIncompressible(pseudoText(CHUNK)), false)
  const rows: string[] = []
  for (let id = 1; rows.join('').length < CHUNK; id++) {
    const hash = createHash('md5').update(`files/Photos/IMG_${id}.jpg`).digest('hex')
    rows.push(`${id}\t1\tfiles/Photos/IMG_${id}.jpg\t${hash}\t${id >> 3}\tIMG_${id}.jpg\t10\t4\t${id * 977}\t1735689600\t\\N\n`)
  }
  const dump = new TextEncoder().encode('COPY public.oc_filecache (fileid, storage, path) FROM stdin;\n' + rows.join(''))
  assert.equal(looksIncompressible(dump.subarray(0, CHUNK)), false)
  const base64 = new TextEncoder().encode(randomBytes(CHUNK).toString('base64'))
  assert.equal(looksIncompressible(base64.subarray(0, CHUNK)), false)
})

test('a chunk from the middle of a deflate stream looks incompressible though it has no magic number', () => {
  const deflated = zlib.deflateRawSync(pseudoText(1024 * 1024, 3), { level: 6 })
  const middle = deflated.subarray(100_000, 100_000 + CHUNK)
  assert.equal(sniffCompressedFormat(middle), undefined)
  assert.equal(looksIncompressible(middle), true)
})

test('JPEG, ZIP (office files) and gzip starts look incompressible even when text follows', () => {
  const text = pseudoText(CHUNK)
  assert.equal(looksIncompressible(startingWith([0xff, 0xd8, 0xff, 0xe0], text)), true)
  assert.equal(looksIncompressible(startingWith([0x50, 0x4b, 0x03, 0x04], text)), true)
  assert.equal(sniffCompressedFormat(zlib.gzipSync(text)), 'gzip')
  assert.equal(looksIncompressible(text), false)
})

test('every listed compressed format is recognised by its magic number at its offset', () => {
  const text = pseudoText(1024)
  for (const format of COMPRESSED_FORMATS) {
    const data = text.slice()
    data.set(format.magic, format.offset)
    assert.equal(sniffCompressedFormat(data), format.name, format.name)
    assert.equal(looksIncompressible(data), true, format.name)
  }
  assert.equal(sniffCompressedFormat(new Uint8Array([0xff, 0xd8])), undefined, 'too short for the JPEG magic')
})

test('the entropy estimate is exact on simple inputs and the skip threshold is 7.5 bits per byte', () => {
  assert.equal(sampleEntropy(new Uint8Array(0)), 0)
  assert.equal(sampleEntropy(new Uint8Array(CHUNK).fill(7)), 0)
  assert.equal(sampleEntropy(Uint8Array.from({ length: 4096 }, (_, i) => i & 1)), 1)
  assert.equal(sampleEntropy(Uint8Array.from({ length: 1024 }, (_, i) => i & 0xff)), 8)
  assert.equal(ENTROPY_SKIP_BITS_PER_BYTE, 7.5)
})

test('each estimate counts only its own bytes (the counting tables are reused)', () => {
  assert.ok(sampleEntropy(randomBytes(CHUNK)) > 7.9)
  assert.equal(sampleEntropy(new Uint8Array(CHUNK).fill(200)), 0)
  assert.equal(sampleEntropy(Uint8Array.from({ length: 4096 }, (_, i) => i & 3)), 2)
})

test('a few random bytes are not judged by entropy: too small a sample to say', () => {
  assert.equal(looksIncompressible(randomBytes(16)), false)
})

test('the skip reads a few KiB whatever the chunk size', () => {
  for (const size of [CHUNK, 512 * 1024, 4 * 1024 * 1024]) {
    const { view, reads } = counting(pseudoText(size))
    assert.equal(looksIncompressible(view), false)
    assert.ok(reads() <= 4096 + 64, `${reads()} bytes read of ${size}`)
  }
})
