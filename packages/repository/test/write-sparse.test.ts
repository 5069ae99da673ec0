import { test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises'
import { closeSync, ftruncateSync, openSync } from 'node:fs'
import { randomBytes } from 'node:crypto'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { SPARSE_BLOCK, writeSparse } from '../src/restore-files.js'

const MiB = 1024 * 1024

test('consecutive pieces are written with their zero blocks left as holes, whatever the piece boundaries', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'resilien-sparse-'))
  t.after(async () => { await rm(dir, { recursive: true, force: true }) })
  // Data, a 1 MiB zero run that starts inside one piece and ends inside the next, data across a
  // piece boundary, an all-zero piece, data again; pieces not aligned to blocks.
  const whole = Buffer.concat([randomBytes(3 * SPARSE_BLOCK + 100), Buffer.alloc(MiB), randomBytes(10_000), Buffer.alloc(MiB), randomBytes(5000)])
  const cuts = [0, 7000, 600_000, 1_100_000, 1_130_000, 2_200_000, whole.length]
  const pieces = cuts.slice(1).map((end, i) => whole.subarray(cuts[i], end))
  const position = 12_345
  const path = join(dir, 'f')
  const fd = openSync(path, 'w')
  try {
    writeSparse(fd, pieces, position)
    ftruncateSync(fd, position + whole.length)
  } finally {
    closeSync(fd)
  }
  const back = await readFile(path)
  assert.equal(back.length, position + whole.length)
  assert.ok(back.subarray(0, position).every((b) => b === 0))
  assert.ok(back.subarray(position).equals(whole))
  // The two zero runs (2 MiB) are holes: far fewer blocks than bytes.
  assert.ok((await stat(path)).blocks * 512 < whole.length - 1.5 * MiB, 'zero runs became holes')
})

/** Random bytes none of which is zero. */
function nonZeroBytes (length: number): Buffer {
  const bytes = randomBytes(length)
  for (let i = 0; i < length; i++) bytes[i] = (bytes[i] as number) | 1
  return bytes
}

/** Writes `pieces` from `position` into a fresh file of `length` bytes and reads it back. */
async function writtenBack (dir: string, name: string, pieces: Uint8Array[], position: number, length: number): Promise<Buffer> {
  const path = join(dir, name)
  const fd = openSync(path, 'w')
  try {
    writeSparse(fd, pieces, position)
    ftruncateSync(fd, length)
  } finally {
    closeSync(fd)
  }
  return readFile(path)
}

test('a piece that begins with the zero tail of a block, after a piece of data, lands where it belongs', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'resilien-sparse-'))
  t.after(async () => { await rm(dir, { recursive: true, force: true }) })
  // The first piece ends one byte before a block boundary; the second starts with a zero byte
  // (that byte alone is the rest of the block, so it is a zero "block"), then data. Random data
  // does this once in about a million chunk boundaries: a restore shifted such a file by one byte.
  const first = nonZeroBytes(SPARSE_BLOCK - 1)
  const second = Buffer.concat([Buffer.alloc(1), nonZeroBytes(3 * SPARSE_BLOCK)])
  const back = await writtenBack(dir, 'f', [first, second], 0, first.length + second.length)
  assert.ok(back.equals(Buffer.concat([first, second])))
})

test('any cut of data with zero bytes and zero blocks into pieces is written back exactly', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'resilien-sparse-'))
  t.after(async () => { await rm(dir, { recursive: true, force: true }) })
  // Seeded, so a failure repeats: runs of data, of a few zero bytes, and of whole zero blocks.
  let seed = 7
  const next = (n: number): number => {
    seed = (seed * 1103515245 + 12345) % 2147483648
    return seed % n
  }
  for (let round = 0; round < 200; round++) {
    const parts: Buffer[] = []
    for (let i = 0; i < 12; i++) {
      const kind = next(3)
      const length = kind === 2 ? next(3 * SPARSE_BLOCK) : 1 + next(kind === 0 ? 2 * SPARSE_BLOCK : 8)
      parts.push(kind === 0 ? nonZeroBytes(length) : Buffer.alloc(length))
    }
    const whole = Buffer.concat(parts)
    const cuts = [...new Set([0, whole.length, ...Array.from({ length: 6 }, () => next(whole.length + 1))])].sort((a, b) => a - b)
    const pieces = cuts.slice(1).map((end, i) => whole.subarray(cuts[i], end))
    const position = next(3) * SPARSE_BLOCK + next(SPARSE_BLOCK)
    const back = await writtenBack(dir, `f${round}`, pieces, position, position + whole.length)
    assert.ok(back.subarray(position).equals(whole), `round ${round}: cuts ${cuts.join(',')} at ${position}`)
    assert.ok(back.subarray(0, position).every((b) => b === 0))
  }
})
