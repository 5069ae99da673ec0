import { test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises'
import { randomBytes } from 'node:crypto'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { keyedHash } from '@resilien/hashing'
import { sealChunk } from '@resilien/crypto'
import { compressChunk } from '@resilien/compression'
import { BlobType, blobAad, ID_LENGTH } from '../src/format.js'
import { RestoreSink } from '../src/restore-sink.js'
import type { SinkFile } from '../src/restore-sink.js'

const keys = { dataKey: randomBytes(32), chunkIdKey: randomBytes(32), maxBlobSize: 1 << 20 }

/** A data blob as a backup seals it: its id and its sealed bytes. */
function sealed (plain: Uint8Array): { id: Uint8Array, blob: Uint8Array } {
  const id = keyedHash(keys.chunkIdKey, plain)
  return { id, blob: sealChunk(keys.dataKey, compressChunk(plain), blobAad(BlobType.data, id)) }
}

function file (id: number, dest: string, chunks: number, size: number): SinkFile {
  return { id, dest: Buffer.from(dest), chunks, size, mode: 0o644, uid: 0, gid: 0, mtimeNs: '0' }
}

test('a blob that does not open costs the files it goes into, which are removed; the others are written', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'resilien-sink-'))
  t.after(async () => { await rm(dir, { recursive: true, force: true }) })
  const [one, two, three] = [randomBytes(5000), randomBytes(7000), randomBytes(3000)]
  const good = sealed(one)
  const bad = sealed(two)
  bad.blob[bad.blob.length - 1] = (bad.blob[bad.blob.length - 1] as number) ^ 1
  const later = sealed(three)
  const sink = new RestoreSink(keys)
  // whole: one chunk. split: its first chunk is the bad blob, its second comes in a later pack.
  // copy: the bad blob alone (deduplicated with split's first chunk).
  sink.add([file(0, join(dir, 'whole'), 1, 5000), file(1, join(dir, 'split'), 2, 10_000), file(2, join(dir, 'copy'), 1, 7000)])
  const ids = new Uint8Array(2 * ID_LENGTH)
  ids.set(good.id, 0)
  ids.set(bad.id, ID_LENGTH)
  const first = sink.write([good.blob, bad.blob], { ids, targets: [[0, 0], [1, 0, 2, 0]] })
  assert.deepEqual(first.finished, [0])
  assert.deepEqual(first.failed, [2])
  assert.deepEqual(first.warnings.map((w) => w.replace(/: not restored: .*/, '')), [join(dir, 'split'), join(dir, 'copy')])
  assert.match(first.warnings[0] ?? '', /: not restored: sealed object of \d+ bytes failed authentication/)
  const second = sink.write([later.blob], { ids: later.id, targets: [[1, 7000]] })
  assert.deepEqual([second.finished, second.failed, second.warnings], [[], [1], []])
  sink.close()
  assert.deepEqual(await readdir(dir), ['whole'], 'no file with a hole where its data should be is left')
  assert.ok((await readFile(join(dir, 'whole'))).equals(one))
})

test('files whose pack could not be read are reported once each and not left behind', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'resilien-sink-'))
  t.after(async () => { await rm(dir, { recursive: true, force: true }) })
  const part = randomBytes(4000)
  const blob = sealed(part)
  const sink = new RestoreSink(keys)
  sink.add([file(0, join(dir, 'a'), 3, 12_000)])
  // Its first chunk arrives and is written; the pack of the other two cannot be read.
  assert.deepEqual(sink.write([blob.blob], { ids: blob.id, targets: [[0, 0]] }).finished, [])
  const lost = sink.lost([[0, 4000], [0, 8000]], 'pack 1234: needed 2 good shards, got 0')
  assert.deepEqual([lost.finished, lost.failed], [[], [0]])
  assert.deepEqual(lost.warnings, [`${join(dir, 'a')}: not restored: pack 1234: needed 2 good shards, got 0`])
  sink.close()
  assert.deepEqual(await readdir(dir), [])
})
