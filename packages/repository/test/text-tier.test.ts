import { test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdir, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { randomBytes } from 'node:crypto'
import { TEXT_SNIFF_BYTES } from '@resilien/chunking'
import { backup, SealPool } from '../src/index.js'
import { chunkBatches, splitHead } from '../src/file-chunks.js'
import { newRepository } from './helpers.js'

const MiB = 1024 * 1024
const noCheck = { redundancyCheck: async () => undefined }

/** A pg_dump-like text of `rows` INSERT lines, the same for the same rows. */
function dumpText (rows: number, edited = new Set<number>()): string {
  const lines = ['--\n-- PostgreSQL database dump\n--\n\nSET statement_timeout = 0;\n']
  for (let id = 1; id <= rows; id++) {
    const version = edited.has(id) ? 'edited' : 'v0'
    lines.push(`INSERT INTO public.oc_filecache VALUES (${id}, 1, 'files/Photos/${(id * 7919) % 100_003}.jpg', '${version}', ${(id * 104_729) % 1_000_003}, 1709251200);\n`)
  }
  return lines.join('')
}

async function * pieces (data: Buffer, size: number): AsyncGenerator<Uint8Array> {
  for (let i = 0; i < data.length; i += size) yield data.subarray(i, i + size)
}

test('splitHead gathers the first bytes over many small reads and gives the whole source back', async () => {
  const data = randomBytes(3 * TEXT_SNIFF_BYTES + 5)
  for (const size of [1, 7, TEXT_SNIFF_BYTES, 1 * MiB]) {
    const { head, all } = await splitHead(pieces(data, size))
    assert.ok(Buffer.from(head).equals(data.subarray(0, TEXT_SNIFF_BYTES)), `head with reads of ${size}`)
    const back: Uint8Array[] = []
    for await (const b of all) back.push(b)
    assert.ok(Buffer.concat(back).equals(data), `everything back with reads of ${size}`)
  }
  const short = await splitHead(pieces(data.subarray(0, 10), 3))
  assert.equal(short.head.byteLength, 10)
  const empty = await splitHead(pieces(Buffer.alloc(0), 3))
  assert.equal(empty.head.byteLength, 0)
})

test('a consumer that stops early, or a chooser that throws, closes the source', async () => {
  let closed = 0
  const source = async function * (): AsyncGenerator<Uint8Array> {
    try {
      for (let i = 0; i < 100; i++) yield new Uint8Array(1000).fill(65)
    } finally {
      closed++
    }
  }
  const { all } = await splitHead(source())
  for await (const b of all) {
    assert.ok(b)
    break
  }
  assert.equal(closed, 1, 'stopped after the first piece')
  const key = new Uint8Array(32)
  await assert.rejects(async () => {
    for await (const batch of chunkBatches(source(), () => { throw new Error('no chunker') }, key)) assert.ok(batch)
  }, /no chunker/)
  assert.equal(closed, 2, 'closed when the chooser threw')
  for await (const batch of chunkBatches(source(), () => ({ minSize: 256, avgSize: 1024, maxSize: 4096 }), key)) {
    assert.ok(batch)
    break
  }
  assert.equal(closed, 3, 'closed when the batches were left')
})

test('text files are cut finer than other files, alike in a worker, inline and from a pipe', async (t) => {
  const { repo, dir } = await newRepository(t)
  const pool = new SealPool(1)
  t.after(async () => pool.close())
  const textDir = join(dir, 'text')
  const binDir = join(dir, 'bin')
  await mkdir(textDir)
  await mkdir(binDir)
  const dump = Buffer.from(dumpText(30_000))
  assert.ok(dump.length > 2.5 * MiB)
  await writeFile(join(textDir, 'dump.sql'), dump)
  await writeFile(join(binDir, 'photo.jpg'), randomBytes(dump.length))

  const text = await backup(repo, { paths: [textDir], ...noCheck, sealPool: pool })
  const binary = await backup(repo, { paths: [binDir], ...noCheck, sealPool: pool })
  // About 16 KiB chunks against 64 KiB (means of ~18 and ~73 KiB), plus a few trees each.
  t.diagnostic(`text ${text.stats.newChunks} chunks, binary ${binary.stats.newChunks}, of ${dump.length} bytes each`)
  const expectedText = dump.length / (18 * 1024)
  const expectedBinary = dump.length / (73 * 1024)
  assert.ok(text.stats.newChunks > expectedText * 0.6 && text.stats.newChunks < expectedText * 1.6, `text: ${text.stats.newChunks} chunks`)
  assert.ok(binary.stats.newChunks > expectedBinary * 0.6 && binary.stats.newChunks < expectedBinary * 1.6 + 8, `binary: ${binary.stats.newChunks} chunks`)

  // The same text from a pipe, a few bytes per read, and from the file inline: the same cuts, so nothing new but trees.
  const piped = await backup(repo, { paths: [], streams: [{ filename: 'dump.sql', data: pieces(dump, 1000), done: Promise.resolve() }], ...noCheck })
  assert.ok(piped.stats.newBytes < 64 * 1024, `piped: ${piped.stats.newBytes} new bytes`)
  const copyDir = join(dir, 'copy')
  await mkdir(copyDir)
  await writeFile(join(copyDir, 'dump.sql'), dump)
  const inline = await backup(repo, { paths: [copyDir], ...noCheck })
  assert.ok(inline.stats.newBytes < 64 * 1024, `inline: ${inline.stats.newBytes} new bytes`)
})

test('scattered edits to a text file resend far less with the text tier than without', async (t) => {
  const tiered = await newRepository(t)
  const plain = await newRepository(t, { textChunker: false })
  const sent: number[] = []
  for (const { repo, dir } of [tiered, plain]) {
    const src = join(dir, 'src')
    await mkdir(src)
    await writeFile(join(src, 'dump.sql'), dumpText(40_000))
    await backup(repo, { paths: [src], ...noCheck })
    // Forty rows spread over the dump change, as a day of a Nextcloud database does.
    const edited = new Set(Array.from({ length: 40 }, (_, i) => 500 + i * 977))
    await writeFile(join(src, 'dump.sql'), dumpText(40_000, edited))
    sent.push((await backup(repo, { paths: [src], ...noCheck })).stats.newBytes)
  }
  const [withTier, without] = sent as [number, number]
  t.diagnostic(`${withTier} new bytes with the text tier, ${without} without`)
  assert.ok(withTier < without * 0.6, `${withTier} new bytes with the text tier, ${without} without`)
})

test('with a chunker too large for the worker\'s blocks, the worker\'s other path chooses as a pipe does', async (t) => {
  // Chunks of up to 1 MiB do not fit the worker's 1 MiB read blocks: it reads fresh buffers (chunkBatches).
  const { repo, dir } = await newRepository(t, { chunker: { minSize: 64 * 1024, avgSize: 256 * 1024, maxSize: MiB }, textChunker: { minSize: 4096, avgSize: 16384, maxSize: 131072 } })
  const pool = new SealPool(1)
  t.after(async () => pool.close())
  const src = join(dir, 'src')
  await mkdir(src)
  const dump = Buffer.from(dumpText(20_000))
  await writeFile(join(src, 'dump.sql'), dump)
  const file = await backup(repo, { paths: [src], ...noCheck, sealPool: pool })
  assert.ok(file.stats.newChunks > dump.length / (40 * 1024), `${file.stats.newChunks} chunks: the text tier`)
  const piped = await backup(repo, { paths: [], streams: [{ filename: 'dump.sql', data: pieces(dump, 333), done: Promise.resolve() }], ...noCheck })
  assert.ok(piped.stats.newBytes < 64 * 1024, `piped: ${piped.stats.newBytes} new bytes`)
})

test('a repository is not made with a text chunker a chunker cannot take, or larger than its chunker', async (t) => {
  for (const textChunker of [{ minSize: 16384, avgSize: 16384, maxSize: 131072 }, { minSize: 4096, avgSize: 16000, maxSize: 131072 }, { minSize: 4096, avgSize: 16384, maxSize: MiB }]) {
    await assert.rejects(newRepository(t, { textChunker }), (err: Error) => err.name === 'InvalidInputError', JSON.stringify(textChunker))
  }
})
