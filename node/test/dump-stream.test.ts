import { test } from 'node:test'
import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import type { Repository } from '@resilien/repository'
import { streamDumpParts } from '../src/handlers/dump-stream.js'
import type { DumpPart } from '../src/handlers/dump-stream.js'

async function * byteParts (pieces: readonly Buffer[]): AsyncGenerator<DumpPart> {
  for (const bytes of pieces) yield { kind: 'bytes', bytes }
}

test('a frame handed to send is never written into again (the socket may still hold it)', async () => {
  // Small pieces (tar headers) are gathered into frames; large ones go out as slices.
  const pieces = [randomBytes(512), randomBytes(40_000), randomBytes(30_000), randomBytes(200_000), randomBytes(10), randomBytes(70_000)]
  const kept: Uint8Array[] = []
  // Keeps every frame as given and answers at once, as a socket with room does: a writer that
  // refilled one buffer would change the frames kept before.
  const send = async (bytes: Uint8Array): Promise<void> => { kept.push(bytes) }
  // Parts of kind 'bytes' read nothing from the repository.
  const sent = await streamDumpParts({} as unknown as Repository, byteParts(pieces), send, new AbortController().signal)
  const expected = Buffer.concat(pieces)
  assert.equal(sent, expected.length)
  assert.ok(kept.length > 3)
  assert.ok(Buffer.concat(kept).equals(expected))
})

test('a dump that fails in a file sends everything written before the failure, that file\'s header included', async () => {
  // A header, a file's first bytes, then a chunk whose read fails: less than one frame in all.
  const header = randomBytes(512)
  const damaged = new Error('chunk c1 is damaged')
  const repo = { readBlob: async () => { throw damaged } } as unknown as Repository
  async function * parts (): AsyncGenerator<DumpPart> {
    yield { kind: 'bytes', bytes: header }
    yield { kind: 'file', path: '/src/b-data.bin', size: 1000 }
    yield { kind: 'chunk', id: 'c1' }
    yield { kind: 'end' }
  }
  const kept: Uint8Array[] = []
  await assert.rejects(streamDumpParts(repo, parts(), async (bytes) => { kept.push(bytes) }, new AbortController().signal), damaged)
  assert.ok(Buffer.concat(kept).equals(header), 'the header went out before the error')
})
