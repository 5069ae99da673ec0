import { test } from 'node:test'
import assert from 'node:assert/strict'
import { InvalidInputError } from '@resilien/types'
import { changedTags, checkTagChange } from '../src/snapshot-tags.js'

test('tags change as restic\'s do: remove then add, or set; sorted, each once, empty ones dropped', () => {
  assert.deepEqual(changedTags(['daily', 'b'], { add: ['keep', 'b'] }), ['b', 'daily', 'keep'])
  assert.deepEqual(changedTags(['daily', 'keep'], { remove: ['keep', 'absent'] }), ['daily'])
  assert.deepEqual(changedTags(['daily'], { remove: ['daily'], add: ['daily'] }), ['daily'], 'added after the removal')
  assert.deepEqual(changedTags(['a', 'b'], { set: ['z', 'z'] }), ['z'])
  assert.deepEqual(changedTags(['a', 'b'], { set: [''] }), [], '--set "" clears')
})

test('a tag change says what it does, and no tag holds a comma', () => {
  for (const bad of [{}, { add: [] }, { set: ['x'], add: ['y'] }, { set: ['x'], remove: ['y'] }, { add: ['a,b'] }]) {
    assert.throws(() => { checkTagChange(bad) }, InvalidInputError, JSON.stringify(bad))
  }
  for (const ok of [{ add: ['x'] }, { remove: ['x'] }, { set: [] }, { set: [''] }]) checkTagChange(ok)
})
