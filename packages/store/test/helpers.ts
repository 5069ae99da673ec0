import { randomBytes } from 'node:crypto'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { TestContext } from 'node:test'
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
