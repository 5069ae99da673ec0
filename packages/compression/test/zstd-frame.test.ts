import assert from 'node:assert/strict'
import { test } from 'node:test'
import { InvalidInputError } from '@resilien/types'
import { parseZstdFrame } from '../src/zstd-frame.js'
import { fixture, pseudoRandom } from './helpers.js'
import { compressedBlockHeader, frameHeader, rawBlock, rleBlock, rleBomb } from './zstd-builder.js'

const LIMIT = 512 * 1024

test('reads the declared size and length of frames written by the zstd command line tool', () => {
  const text = fixture('text-140000-seed7.level3.zst')
  assert.deepEqual(parseZstdFrame(text, LIMIT), { contentSize: 140000, frameLength: text.length })
  const checksummed = fixture('text-50000-seed8.level19-checksum.zst')
  assert.deepEqual(parseZstdFrame(checksummed, LIMIT), { contentSize: 50000, frameLength: checksummed.length })
  const raw = fixture('random-20000-seed9.level3.zst')
  assert.deepEqual(parseZstdFrame(raw, LIMIT), { contentSize: 20000, frameLength: raw.length })
})

test('accepts a hand-built frame of raw and RLE blocks with an 8-byte size field and a zero dictionary id', () => {
  const bytes = [...frameHeader({ contentSize: 110, dictionaryId: 0 }), ...rawBlock(pseudoRandom(10), false), ...rleBlock(7, 100, true)]
  assert.deepEqual(parseZstdFrame(Uint8Array.from(bytes), LIMIT), { contentSize: 110, frameLength: bytes.length })
})

test('refuses frames that do not declare their content size', () => {
  assert.throws(() => parseZstdFrame(fixture('text-5000-seed10.no-content-size.zst'), LIMIT), InvalidInputError)
  const bytes = [...frameHeader({}), ...rleBlock(7, 100, true)]
  assert.throws(() => parseZstdFrame(Uint8Array.from(bytes), LIMIT), /does not declare its content size/)
})

test('refuses a declared size above the limit before looking at the blocks', () => {
  assert.throws(() => parseZstdFrame(rleBomb(8192, 2 ** 30), LIMIT), /declares 1073741824 bytes, more than the limit of 524288/)
  const header = Uint8Array.from(frameHeader({ contentSize: 2 ** 40 }))
  assert.throws(() => parseZstdFrame(Uint8Array.from([...header, ...rleBlock(0, 1, true)]), LIMIT), InvalidInputError)
})

test('refuses raw and RLE blocks that hold more than the declared size (an RLE decompression bomb)', () => {
  assert.throws(() => parseZstdFrame(rleBomb(8192, 1000), LIMIT), /blocks hold more than the 1000 bytes it declares/)
})

test('refuses other magic numbers, skippable frames, reserved bits, dictionaries and reserved block types', () => {
  const block = rleBlock(7, 10, true)
  const skippable = [0x50, 0x2a, 0x4d, 0x18, 4, 0, 0, 0, 1, 2, 3, 4]
  assert.throws(() => parseZstdFrame(Uint8Array.from(skippable), LIMIT), /wrong magic/)
  assert.throws(() => parseZstdFrame(Uint8Array.from([...frameHeader({ contentSize: 10, reservedBit: true }), ...block]), LIMIT), /reserved bit/)
  assert.throws(() => parseZstdFrame(Uint8Array.from([...frameHeader({ contentSize: 10, dictionaryId: 12345 }), ...block]), LIMIT), /dictionary/)
  const reservedType = [...frameHeader({ contentSize: 10 }), 0x07, 0, 0]
  assert.throws(() => parseZstdFrame(Uint8Array.from(reservedType), LIMIT), /reserved block type/)
})

test('refuses a frame cut anywhere short, and bytes after the frame', () => {
  const whole = fixture('text-50000-seed8.level19-checksum.zst')
  for (const length of [0, 3, 4, 5, 8, 12, Math.floor(whole.length / 2), whole.length - 4, whole.length - 1]) {
    assert.throws(() => parseZstdFrame(whole.subarray(0, length), LIMIT), InvalidInputError, `cut at ${length}`)
  }
  const trailing = Uint8Array.from([...whole, 0])
  assert.throws(() => parseZstdFrame(trailing, LIMIT), /1 bytes follow the frame/)
})

test('refuses blocks larger than the window or than 128 KiB', () => {
  const small = [...frameHeader({ contentSize: 2048, windowLog: 10 }), ...rleBlock(7, 2048, true)]
  assert.throws(() => parseZstdFrame(Uint8Array.from(small), LIMIT), /exceeds the block maximum/)
  const compressedTooBig = [...frameHeader({ contentSize: 1000 }), ...compressedBlockHeader(200000, true)]
  assert.throws(() => parseZstdFrame(Uint8Array.from(compressedTooBig), LIMIT), /exceeds 128 KiB/)
})
