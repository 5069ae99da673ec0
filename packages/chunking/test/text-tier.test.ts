import { test } from 'node:test'
import assert from 'node:assert/strict'
import { chunkLengths, createChunker, looksLikeText, TEXT_CHUNKER_OPTIONS, TEXT_SNIFF_BYTES } from '../src/index.js'
import { randomBytes } from './helpers.js'

const utf8 = (s: string): Uint8Array => new TextEncoder().encode(s)

test('a SQL dump, a log, UTF-8 and Latin-1 prose and CRLF text look like text', () => {
  const dump = '--\n-- PostgreSQL database dump\n--\n\nSET statement_timeout = 0;\nINSERT INTO public.oc_filecache VALUES (1, 2, \'files/Photos\');\n'
  assert.equal(looksLikeText(utf8(dump.repeat(60))), true)
  assert.equal(looksLikeText(utf8('2026-11-23T03:00:01 {"reqId":"x","level":1}\r\n\tindented\f\v'.repeat(80))), true)
  assert.equal(looksLikeText(utf8('Grüße, 東京, déjà vu\n'.repeat(200))), true)
  assert.equal(looksLikeText(Uint8Array.from({ length: 3000 }, (_, i) => i % 10 === 9 ? 0x0a : 0xe9)), true)
})

test('binary data, a NUL, and control bytes over 1 % are not text; an empty head is not', () => {
  assert.equal(looksLikeText(randomBytes(TEXT_SNIFF_BYTES, 7)), false)
  const jpeg = Uint8Array.from([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10, 0x4a, 0x46, 0x49, 0x46])
  assert.equal(looksLikeText(jpeg), false)
  const withNul = utf8('a'.repeat(4000))
  withNul[3999] = 0
  assert.equal(looksLikeText(withNul), false)
  const controls = utf8('b'.repeat(1000))
  for (let i = 0; i < 10; i++) controls[i * 100] = 0x1b
  assert.equal(looksLikeText(controls), false, '1 % of escape bytes')
  controls[0] = 0x62
  assert.equal(looksLikeText(controls), true, 'just under 1 %')
  assert.equal(looksLikeText(new Uint8Array(0)), false)
})

test('only the first TEXT_SNIFF_BYTES bytes decide, however much of the file is given', () => {
  const head = utf8('x'.repeat(TEXT_SNIFF_BYTES))
  const longer = new Uint8Array(TEXT_SNIFF_BYTES * 3)
  longer.set(head)
  // Binary after the sniffed head: the answer is the head's.
  longer.set(randomBytes(TEXT_SNIFF_BYTES * 2, 3), TEXT_SNIFF_BYTES)
  assert.equal(looksLikeText(longer), true)
  assert.equal(looksLikeText(longer.subarray(0, TEXT_SNIFF_BYTES)), true)
})

test('the text tier cuts chunks within its sizes, four times smaller than the default on average', () => {
  const c = createChunker(TEXT_CHUNKER_OPTIONS)
  const data = randomBytes(8 * 1024 * 1024, 11)
  const lengths = chunkLengths(data, TEXT_CHUNKER_OPTIONS)
  for (const n of lengths.slice(0, -1)) assert.ok(n >= c.minSize && n <= c.maxSize)
  const mean = data.length / lengths.length
  const defaultMean = data.length / chunkLengths(data).length
  assert.ok(mean > 12 * 1024 && mean < 24 * 1024, `mean ${mean}`)
  assert.ok(defaultMean / mean > 3 && defaultMean / mean < 5, `ratio ${defaultMean / mean}`)
})
