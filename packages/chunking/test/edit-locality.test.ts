import { test } from 'node:test'
import assert from 'node:assert/strict'
import { chunkLengths } from '../src/index.js'
import { randomBytes } from './helpers.js'

const MiB = 1024 * 1024
const DATA = randomBytes(32 * MiB, 30)
const EDIT_AT = 17 * MiB + 12345

interface Edit { name: string, data: Uint8Array, delta: number }

/** Compares chunk lists by position: a chunk of the original is kept when the edited data has a chunk with the same bytes at the mapped offset. */
function compare (original: number[], edited: number[], delta: number): { changed: number, sharedBytes: number } {
  const editedKeys = new Set<string>()
  let offset = 0
  for (const n of edited) { editedKeys.add(`${offset}:${n}`); offset += n }
  let changed = 0
  let sharedBytes = 0
  offset = 0
  for (const n of original) {
    const before = offset + n <= EDIT_AT
    const after = offset > EDIT_AT || (delta > 0 && offset === EDIT_AT)
    const mapped = before ? offset : offset + delta
    if ((before || after) && editedKeys.has(`${mapped}:${n}`)) sharedBytes += n
    else changed++
    offset += n
  }
  return { changed, sharedBytes }
}

test('a one-byte change, insertion or deletion in 32 MiB changes only the chunks around it', () => {
  const original = chunkLengths(DATA)
  const changedByte = DATA.slice()
  changedByte[EDIT_AT] = (changedByte[EDIT_AT] as number) ^ 0x5a
  const inserted = new Uint8Array(DATA.length + 1)
  inserted.set(DATA.subarray(0, EDIT_AT))
  inserted[EDIT_AT] = 0x42
  inserted.set(DATA.subarray(EDIT_AT), EDIT_AT + 1)
  const deleted = new Uint8Array(DATA.length - 1)
  deleted.set(DATA.subarray(0, EDIT_AT))
  deleted.set(DATA.subarray(EDIT_AT + 1), EDIT_AT)
  const edits: Edit[] = [
    { name: 'change', data: changedByte, delta: 0 },
    { name: 'insertion', data: inserted, delta: 1 },
    { name: 'deletion', data: deleted, delta: -1 }
  ]
  for (const e of edits) {
    const { changed, sharedBytes } = compare(original, chunkLengths(e.data), e.delta)
    assert.ok(changed >= 1 && changed <= 3, `${e.name}: ${changed} of ${original.length} chunks changed`)
    assert.ok(sharedBytes > 0.95 * DATA.length, `${e.name}: ${sharedBytes} bytes shared`)
  }
})

test('an edit that moves the first cut leaves every cut after the next few in place', () => {
  const original = chunkLengths(DATA)
  const edited = DATA.slice()
  // The byte that completed the first cut's hash window.
  const at = (original[0] as number) - 1
  edited[at] = (edited[at] as number) ^ 1
  const after = chunkLengths(edited)
  assert.notEqual(after[0], original[0])
  const tail = original.length - 3
  assert.deepEqual(after.slice(-tail), original.slice(-tail))
})
