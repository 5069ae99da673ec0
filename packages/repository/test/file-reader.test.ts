import { test } from 'node:test'
import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { execFileSync } from 'node:child_process'
import { appendFile, symlink, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { openFileReader } from '../src/file-reader.js'
import { readFileBuffers } from '../src/file-chunks.js'
import { tempDir } from './helpers.js'

for (const blocking of [false, true]) {
  const calls = blocking ? 'blocking calls' : 'promises'
  test(`a file reader with ${calls} reads at the positions asked, and 0 bytes at the end`, async (t) => {
    const path = join(await tempDir(t), 'f')
    const data = randomBytes(300_000)
    await writeFile(path, data)
    const reader = await openFileReader(Buffer.from(path), blocking)
    const into = Buffer.alloc(100_000)
    assert.equal(await reader.read(into, 10, 5_000, 123_456), 5_000)
    assert.ok(into.subarray(10, 5_010).equals(data.subarray(123_456, 128_456)))
    assert.equal(await reader.read(into, 0, 100_000, 250_000), 50_000, 'a short read at the end of the file')
    assert.ok(into.subarray(0, 50_000).equals(data.subarray(250_000)))
    assert.equal(await reader.read(into, 0, 100, 300_000), 0)
    await reader.close()
  })

  test(`a file reader with ${calls} fails on a missing file with its error code`, async (t) => {
    const missing = join(await tempDir(t), 'gone')
    await assert.rejects(openFileReader(Buffer.from(missing), blocking), { code: 'ENOENT' })
  })

  test(`a file reader with ${calls} refuses what is no longer a regular file: a symbolic link, a FIFO (at once), a folder`, { skip: process.platform === 'win32' && 'no FIFOs' }, async (t) => {
    const dir = await tempDir(t)
    await writeFile(join(dir, 'target'), 'not to be read through the link')
    await symlink(join(dir, 'target'), join(dir, 'link'))
    // With nobody writing to it, a FIFO opened without O_NONBLOCK would never return.
    execFileSync('mkfifo', [join(dir, 'fifo')])
    for (const name of ['link', 'fifo', '.']) {
      await assert.rejects(openFileReader(Buffer.from(join(dir, name)), blocking), (err: NodeJS.ErrnoException) => {
        assert.equal(err.code, 'EFTYPE', `${name}: ${err.message}`)
        assert.match(err.message, /is no longer a regular file/)
        return true
      })
    }
  })

  test(`readFileBuffers with ${calls} reads a file that grew since its stat to its end`, async (t) => {
    const path = join(await tempDir(t), 'f')
    const data = randomBytes(2_500_000)
    await writeFile(path, data.subarray(0, 1_000_000))
    const pieces: Buffer[] = []
    let first = true
    // The expected size is the first million bytes; the rest is appended while the read runs.
    for await (const buf of readFileBuffers(Buffer.from(path), 1_000_000, undefined, blocking)) {
      pieces.push(Buffer.from(buf))
      if (first) await appendFile(path, data.subarray(1_000_000))
      first = false
    }
    assert.ok(Buffer.concat(pieces).equals(data))
  })
}
