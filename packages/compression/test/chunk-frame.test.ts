import assert from 'node:assert/strict'
import { test } from 'node:test'
import { IntegrityError, InvalidInputError } from '@resilien/types'
import {
  ALGORITHM_IDS,
  MAX_LEVEL,
  MIN_COMPRESS_LENGTH,
  MIN_LEVEL,
  activeCompression,
  chunkFrameAlgorithm,
  compressChunk,
  decompressChunk,
  savingPays
} from '../src/index.js'
import type { CompressionBackend } from '../src/index.js'
import { pseudoText, random, residentMiB } from './helpers.js'
import { chunkFrame, rleBomb, withDeclaredSize } from './zstd-builder.js'

const MAX_CHUNK = 512 * 1024
const CHUNK = 64 * 1024

function roundTrip (plain: Uint8Array): Uint8Array {
  const frame = compressChunk(plain)
  assert.deepEqual(decompressChunk(frame, MAX_CHUNK), plain)
  return frame
}

/** A backend that must not be called. */
const untouchable: CompressionBackend = {
  name: 'wasm',
  compress () { throw new Error('compress was called') },
  decompress () { throw new Error('decompress was called') }
}

/** A backend whose compressed output has a chosen length. */
function compressingTo (length: number): CompressionBackend {
  return { name: 'wasm', compress: () => new Uint8Array(length), decompress: () => new Uint8Array(0) }
}

test('text round-trips through a zstd frame a third of its size', () => {
  const plain = pseudoText(CHUNK)
  const frame = roundTrip(plain)
  assert.equal(chunkFrameAlgorithm(frame), 'zstd')
  assert.equal(frame[0], ALGORITHM_IDS.zstd)
  assert.ok(frame.length < plain.length / 2, `${frame.length} bytes`)
})

test('random data round-trips raw, one byte longer', () => {
  const plain = random(CHUNK)
  const frame = roundTrip(plain)
  assert.equal(chunkFrameAlgorithm(frame), 'none')
  assert.equal(frame.length, plain.length + 1)
})

test('empty and 1-byte chunks round-trip raw', () => {
  assert.deepEqual(roundTrip(new Uint8Array(0)), Uint8Array.of(ALGORITHM_IDS.none))
  assert.deepEqual(roundTrip(Uint8Array.of(42)), Uint8Array.of(ALGORITHM_IDS.none, 42))
  assert.deepEqual(decompressChunk(Uint8Array.of(ALGORITHM_IDS.none), 0), new Uint8Array(0))
})

test('chunks of the maximum size round-trip, compressed or raw', () => {
  assert.equal(chunkFrameAlgorithm(roundTrip(pseudoText(MAX_CHUNK))), 'zstd')
  assert.equal(chunkFrameAlgorithm(roundTrip(random(MAX_CHUNK))), 'none')
})

test('every level from the lowest to the highest round-trips, and higher levels store less', () => {
  const plain = pseudoText(CHUNK, 5)
  const sizes = new Map<number, number>()
  for (const level of [MIN_LEVEL, 1, 3, 9, MAX_LEVEL]) {
    const frame = compressChunk(plain, { level })
    assert.deepEqual(decompressChunk(frame, CHUNK), plain, `level ${level}`)
    sizes.set(level, frame.length)
  }
  assert.ok((sizes.get(MAX_LEVEL) as number) < (sizes.get(MIN_LEVEL) as number))
})

test('a level out of range or not an integer is refused', () => {
  for (const level of [MIN_LEVEL - 1, MAX_LEVEL + 1, 2.5, Number.NaN]) {
    assert.throws(() => compressChunk(pseudoText(CHUNK), { level }), InvalidInputError, `level ${level}`)
  }
})

test('compressed output is kept only when it saves at least 1/16', () => {
  const plain = pseudoText(CHUNK)
  const justEnough = compressChunk(plain, { backend: compressingTo(CHUNK - CHUNK / 16) })
  assert.equal(chunkFrameAlgorithm(justEnough), 'zstd')
  assert.equal(justEnough.length, 1 + CHUNK - CHUNK / 16)
  const tooLittle = compressChunk(plain, { backend: compressingTo(CHUNK - CHUNK / 16 + 1) })
  assert.equal(chunkFrameAlgorithm(tooLittle), 'none')
  assert.deepEqual(decompressChunk(tooLittle, CHUNK), plain)
  assert.equal(savingPays(1600, 1500), true)
  assert.equal(savingPays(1600, 1501), false)
})

test('incompressible-looking and tiny chunks are stored raw without calling the compressor', () => {
  const jpegLike = pseudoText(CHUNK)
  jpegLike.set([0xff, 0xd8, 0xff, 0xe0])
  for (const plain of [random(CHUNK), jpegLike, pseudoText(MIN_COMPRESS_LENGTH - 1)]) {
    const frame = compressChunk(plain, { backend: untouchable })
    assert.equal(chunkFrameAlgorithm(frame), 'none')
    assert.deepEqual(decompressChunk(frame, CHUNK, { backend: untouchable }), plain)
  }
})

test('a chunk the caller knows is compressible goes to the compressor without the entropy test, and stays raw when zstd does not pay', () => {
  let calls = 0
  const counting: CompressionBackend = { ...compressingTo(CHUNK), compress: (plain, level) => { calls++; return compressingTo(CHUNK).compress(plain, level) } }
  const plain = random(CHUNK)
  assert.equal(chunkFrameAlgorithm(compressChunk(plain, { backend: counting })), 'none')
  assert.equal(calls, 0, 'without the option: the entropy test keeps random bytes from the compressor')
  const frame = compressChunk(plain, { backend: counting, knownCompressible: true })
  assert.equal(calls, 1, 'knownCompressible: straight to the compressor')
  assert.equal(chunkFrameAlgorithm(frame), 'none')
  assert.deepEqual(decompressChunk(frame, CHUNK), plain)
  assert.equal(chunkFrameAlgorithm(compressChunk(pseudoText(MIN_COMPRESS_LENGTH - 1), { backend: untouchable, knownCompressible: true })), 'none', 'too short is still raw')
})

test('decompressChunk returns new memory, not a view of the frame', () => {
  const frame = compressChunk(random(1000))
  const plain = decompressChunk(frame, MAX_CHUNK)
  frame[1] = (frame[1] as number) ^ 0xff
  assert.notEqual(plain[0], frame[1])
  const bufferFrame = Buffer.from(compressChunk(random(1000)))
  const fromBuffer = decompressChunk(bufferFrame, MAX_CHUNK)
  bufferFrame[1] = (bufferFrame[1] as number) ^ 0xff
  assert.notEqual(fromBuffer[0], bufferFrame[1])
  assert.equal(Object.getPrototypeOf(fromBuffer), Uint8Array.prototype)
})

test('an empty frame, an unknown algorithm byte and a bad maxLength are InvalidInputError', () => {
  assert.throws(() => decompressChunk(new Uint8Array(0), MAX_CHUNK), InvalidInputError)
  for (const id of [2, 0x28, 255]) {
    assert.throws(() => decompressChunk(Uint8Array.of(id, 1, 2, 3), MAX_CHUNK), /unknown compression algorithm/)
  }
  for (const maxLength of [-1, 1.5, Number.NaN, Infinity]) {
    assert.throws(() => decompressChunk(Uint8Array.of(0), maxLength), InvalidInputError)
  }
})

test('frames holding more than maxLength are refused, raw or compressed', () => {
  assert.throws(() => decompressChunk(compressChunk(random(1001)), 1000), /holds 1001 bytes, more than the limit of 1000/)
  const frame = compressChunk(pseudoText(CHUNK))
  assert.throws(() => decompressChunk(frame, CHUNK - 1), /declares 65536 bytes, more than the limit of 65535/)
})

test('truncated or extended zstd frames are InvalidInputError', () => {
  const frame = compressChunk(pseudoText(CHUNK))
  for (const length of [1, 2, 5, 10, frame.length >> 1, frame.length - 1]) {
    assert.throws(() => decompressChunk(frame.subarray(0, length), MAX_CHUNK), InvalidInputError, `cut at ${length}`)
  }
  assert.throws(() => decompressChunk(Uint8Array.from([...frame, 0, 0, 0, 0]), MAX_CHUNK), InvalidInputError)
})

test('a frame whose blocks do not decode to its declared size is IntegrityError', () => {
  const plain = pseudoText(CHUNK)
  const payload = compressChunk(plain).subarray(1)
  for (const declared of [CHUNK - 1, CHUNK + 1, 1000]) {
    const lying = chunkFrame(ALGORITHM_IDS.zstd, withDeclaredSize(payload, declared))
    assert.throws(() => decompressChunk(lying, MAX_CHUNK), IntegrityError, `declared ${declared}`)
  }
})

test('decompression bombs are refused without a large allocation', () => {
  // 8192 RLE blocks of 128 KiB: 32 KiB that decode to 1 GiB.
  assert.throws(() => decompressChunk(chunkFrame(ALGORITHM_IDS.zstd, rleBomb(8192, 2 ** 30)), MAX_CHUNK), InvalidInputError)
  assert.throws(() => decompressChunk(chunkFrame(ALGORITHM_IDS.zstd, rleBomb(8192, 1000)), MAX_CHUNK), InvalidInputError)
  // Compressed blocks that decode to 64 MiB, behind a header that declares 100 000 bytes.
  const pattern = new Uint8Array(64 * 1024 * 1024)
  pattern.set([1, 2, 3])
  for (let filled = 3; filled < pattern.length; filled *= 2) pattern.copyWithin(filled, 0, filled)
  const bomb = activeCompression.backend.compress(pattern, 1)
  assert.ok(bomb.length < MAX_CHUNK, `${bomb.length} bytes`)
  const bounds: number[] = []
  const spy: CompressionBackend = {
    name: activeCompression.name,
    compress: (data, level) => activeCompression.backend.compress(data, level),
    decompress: (data, maxLength) => {
      bounds.push(maxLength)
      return activeCompression.backend.decompress(data, maxLength)
    }
  }
  const before = residentMiB()
  assert.throws(() => decompressChunk(chunkFrame(ALGORITHM_IDS.zstd, withDeclaredSize(bomb, 100_000)), MAX_CHUNK, { backend: spy }), IntegrityError)
  assert.deepEqual(bounds, [100_000])
  assert.ok(residentMiB() - before < 16, `resident memory grew by ${(residentMiB() - before).toFixed(1)} MiB`)
})
