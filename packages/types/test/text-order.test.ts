import { test } from 'node:test'
import assert from 'node:assert/strict'
import { compareText } from '../src/index.js'

test('compareText orders by code unit, not by locale', () => {
  assert.deepEqual(['b', 'B', 'a', 'A', 'é', 'e'].sort(compareText), ['A', 'B', 'a', 'b', 'e', 'é'])
  assert.equal(compareText('x', 'x'), 0)
})

test('compareText orders ISO 8601 times in time order', () => {
  const times = ['2026-11-23T00:00:00.010Z', '2026-01-02T23:59:59.999Z', '2026-11-23T00:00:00.009Z']
  assert.deepEqual([...times].sort(compareText), [times[1], times[2], times[0]])
})
