import { test } from 'node:test'
import assert from 'node:assert/strict'
import { isSelected } from '../src/index.js'

const snapshot = (tags: string[]): { host: string, tags: string[], paths: string[] } => ({ host: 'h', tags, paths: ['/data'] })

test('a tag list selects snapshots with all of its tags; several lists, any of them', () => {
  assert.equal(isSelected(snapshot(['a', 'b']), { tagLists: [['a', 'b']] }), true)
  assert.equal(isSelected(snapshot(['a']), { tagLists: [['a', 'b']] }), false)
  assert.equal(isSelected(snapshot(['c']), { tagLists: [['a', 'b'], ['c']] }), true)
})

test('a tag stored with a comma by an older backup --tag a,b counts as its parts', () => {
  assert.equal(isSelected(snapshot(['a,b']), { tagLists: [['a']] }), true)
  assert.equal(isSelected(snapshot(['a,b']), { tagLists: [['a', 'b']] }), true)
  assert.equal(isSelected(snapshot(['a,b']), { tagLists: [['c']] }), false)
})
