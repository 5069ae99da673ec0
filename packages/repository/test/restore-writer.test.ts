import { test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises'
import { randomBytes } from 'node:crypto'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { keyedHash } from '@resilien/hashing'
import { BlobType, ID_LENGTH, SealPool, sealBlobsInto, sealedBound } from '../src/index.js'
import { InlineRestoreWriter } from '../src/restore-writer.js'
import type { RestoreWriter } from '../src/restore-writer.js'
import type { BlobKeys } from '../src/open-blob.js'

const keys: BlobKeys = { dataKey: randomBytes(32), chunkIdKey: randomBytes(32), maxBlobSize: 1 << 20 }
const MTIME_NS = '1600000000123456000'

/** Blobs sealed as a backup seals them, back to back in one buffer (as in a shard), and views of each. */
function sealedPack (plains: Buffer[]): { buffer: ArrayBuffer, blobs: Uint8Array[], ids: Uint8Array } {
  const ids = new Uint8Array(plains.length * ID_LENGTH)
  plains.forEach((p, i) => ids.set(keyedHash(keys.chunkIdKey, p), i * ID_LENGTH))
  const out = new Uint8Array(sealedBound(plains.map((p) => p.byteLength)))
  const lengths = sealBlobsInto(BlobType.data, keys.dataKey, ids, plains, out) as number[]
  let at = 0
  const blobs = lengths.map((n) => out.subarray(at, (at += n)))
  return { buffer: out.buffer, blobs, ids }
}

function file (id: number, dest: string, chunks: number, size: number): { id: number, dest: Uint8Array, chunks: number, size: number, mode: number, uid: number, gid: number, mtimeNs: string } {
  return { id, dest: Buffer.from(dest), chunks, size, mode: 0o100640, uid: process.getuid?.() ?? 0, gid: process.getgid?.() ?? 0, mtimeNs: MTIME_NS }
}

for (const where of ['inline', 'worker'] as const) {
  test(`the restore writer (${where}) writes each file, finishes it, and reports a file it cannot write without stopping`, async (t) => {
    const dir = await mkdtemp(join(tmpdir(), 'resilien-writer-'))
    const pool = new SealPool(where === 'worker' ? 1 : 0)
    t.after(async () => {
      await pool.close()
      await rm(dir, { recursive: true, force: true })
    })
    const writer: RestoreWriter = where === 'worker' ? pool.openRestoreWriter(keys) : new InlineRestoreWriter(keys)
    const [a, b, shared] = [randomBytes(70_000), randomBytes(50_000), randomBytes(30_000)]
    const empty = await writer.add([file(0, join(dir, 'empty'), 0, 0), file(1, join(dir, 'f'), 2, 100_000), file(2, join(dir, 'missing', 'g'), 2, 80_000)])
    assert.deepEqual(empty.finished, [0], 'an empty file is finished when announced')
    // f = a + shared; g (in a folder that does not exist) = b + shared: shared is opened once, written twice.
    const pack = sealedPack([a, shared, b])
    const size = pack.buffer.byteLength
    const report = await writer.write(pack.blobs, { ids: pack.ids, targets: [[1, 0], [1, 70_000, 2, 50_000], [2, 0]] }, [pack.buffer])
    // A worker takes the buffer (no copy): the caller's views are empty; inline it is left alone.
    assert.equal(pack.buffer.byteLength, where === 'worker' ? 0 : size)
    assert.deepEqual(report.finished, [1])
    assert.deepEqual(report.failed, [2])
    assert.equal(report.bytes, 70_000 + 30_000 * 2 + 50_000)
    assert.equal(report.warnings.length, 1)
    assert.match(report.warnings[0] as string, /missing\/g: ENOENT/)
    assert.ok((await readFile(join(dir, 'f'))).equals(Buffer.concat([a, shared])))
    const st = await stat(join(dir, 'f'))
    assert.equal(st.mode, 0o100640)
    assert.equal(Math.round(st.mtimeMs), 1_600_000_000_123)
    assert.equal((await stat(join(dir, 'empty'))).size, 0)

    // A changed byte fails the seal, whatever thread opened it: that file is not restored (one
    // warning, nothing left behind) and the restore goes on.
    await writer.add([file(3, join(dir, 'h'), 1, 70_000), file(4, join(dir, 'i'), 1, 70_000)])
    const bad = sealedPack([a])
    const view = new Uint8Array(bad.buffer)
    view[40] = (view[40] as number) ^ 1
    const damaged = await writer.write(bad.blobs, { ids: bad.ids, targets: [[3, 0]] }, [bad.buffer])
    assert.deepEqual([damaged.finished, damaged.failed], [[], [3]])
    assert.match(damaged.warnings.join('\n'), /\/h: not restored: sealed object of \d+ bytes failed authentication/)
    await assert.rejects(stat(join(dir, 'h')))
    // A pack that could not be read at all: its files are reported the same way.
    const gone = await writer.lost([[4, 0]], 'pack 12: needed 2 good shards, got 0')
    assert.deepEqual([gone.failed, gone.warnings], [[4], [`${join(dir, 'i')}: not restored: pack 12: needed 2 good shards, got 0`]])
    await writer.end()
  })
}
