import { execFile } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { TestContext } from 'node:test'
import { promisify } from 'node:util'
import { hash } from '@resilien/hashing'
import { toHex } from '@resilien/types'

export interface TestShard {
  id: string
  bytes: Uint8Array
}

/** Random bytes and their shard id; random so that two calls never collide. */
export function makeShard (size: number): TestShard {
  const bytes = new Uint8Array(randomBytes(size))
  return { id: toHex(hash(bytes)), bytes }
}

/** The bytes as a stream of `chunkSize` pieces, fresh arrays each (as a network stream gives). */
export async function * chunked (bytes: Uint8Array, chunkSize: number): AsyncGenerator<Uint8Array> {
  for (let offset = 0; offset < bytes.byteLength; offset += chunkSize) {
    yield bytes.slice(offset, offset + chunkSize)
  }
}

/** A temp directory removed after the test. */
export async function tempDirectory (t: TestContext, prefix = 'resilien-store-'): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), prefix))
  t.after(async () => { await rm(dir, { recursive: true, force: true }) })
  return dir
}

export async function collectList<T> (iterable: AsyncIterable<T>): Promise<T[]> {
  const items: T[] = []
  for await (const item of iterable) items.push(item)
  return items
}

const run = promisify(execFile)

/** Bytes of the file held in the page cache (util-linux fincore). */
export async function cachedBytes (path: string): Promise<number> {
  const { stdout } = await run('fincore', ['--bytes', '--noheadings', '--output', 'RES', path])
  return Number(stdout.trim())
}

/**
 * A ramfs (a file system that refuses O_DIRECT) mounted for the test; mounting needs root (CI
 * runs as root). One cleanup, so that it is unmounted before its folder is removed.
 */
export async function mountRamfs (t: TestContext): Promise<string> {
  if (process.getuid?.() !== 0) throw new Error('this test mounts a ramfs: run it as root')
  const mnt = await mkdtemp(join(tmpdir(), 'resilien-ramfs-'))
  t.after(async () => {
    await run('umount', ['-l', mnt]).catch(() => {})
    await rm(mnt, { recursive: true, force: true })
  })
  await run('mount', ['-t', 'ramfs', 'ramfs', mnt])
  return mnt
}
