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
