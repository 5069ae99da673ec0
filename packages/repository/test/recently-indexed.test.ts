import { test } from 'node:test'
import assert from 'node:assert/strict'
import { RecentlyIndexed } from '../src/recently-indexed.js'

test('an id indexed while a lookup is open counts for that lookup, and is forgotten once every earlier lookup closed', () => {
  const recent = new RecentlyIndexed()
  recent.add(['before'])
  assert.equal(recent.has('before'), false, 'indexed with no lookup open: the index answers for it')
  const first = recent.opened()
  recent.add(['a', 'b'])
  const second = recent.opened()
  recent.add(['c'])
  assert.ok(recent.has('a') && recent.has('b') && recent.has('c'))
  recent.close(first)
  assert.equal(recent.has('a'), false, 'only the first lookup opened before a and b')
  assert.ok(recent.has('c'), 'the second lookup opened before c')
  recent.close(second)
  assert.equal(recent.size, 0)
})

test('two lookups opened at the same count: the ids stay until both closed', () => {
  const recent = new RecentlyIndexed()
  const one = recent.opened()
  const two = recent.opened()
  recent.add(['x'])
  recent.close(one)
  assert.ok(recent.has('x'))
  recent.close(two)
  assert.equal(recent.size, 0)
})

test('an id indexed twice keeps its later count and the record its order', () => {
  const recent = new RecentlyIndexed()
  const early = recent.opened()
  recent.add(['x', 'y'])
  const late = recent.opened()
  recent.add(['x'])
  recent.close(early)
  assert.ok(recent.has('x'), 'x was indexed again after the late lookup opened')
  assert.equal(recent.has('y'), false)
  recent.close(late)
  assert.equal(recent.size, 0)
})
