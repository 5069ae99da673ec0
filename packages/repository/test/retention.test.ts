import { test } from 'node:test'
import assert from 'node:assert/strict'
import { applyRetention } from '../src/retention.js'
import type { RetentionCandidate } from '../src/retention.js'

function snap (id: string, iso: string, extra: Partial<RetentionCandidate> = {}): RetentionCandidate {
  return { id, time: new Date(iso), host: 'h', paths: ['/data'], tags: [], ...extra }
}

const series = [
  snap('a', '2026-01-01T10:00:00Z'), snap('b', '2026-01-01T11:30:00Z'), snap('c', '2026-01-01T11:45:00Z'),
  snap('d', '2026-01-02T09:00:00Z'), snap('e', '2026-01-09T09:00:00Z'), snap('f', '2026-02-03T09:00:00Z'),
  snap('g', '2027-03-01T09:00:00Z')
]
const kept = (policy: Parameters<typeof applyRetention>[1], list = series): string[] => applyRetention(list, policy).keep.map((k) => k.snapshot.id).sort()

test('keep-last keeps the n newest of a series', () => {
  assert.deepEqual(kept({ last: 2 }), ['f', 'g'])
})

test('calendar rules keep the newest snapshot of each of the n most recent buckets', () => {
  assert.deepEqual(kept({ hourly: 3 }), ['e', 'f', 'g'])
  assert.deepEqual(kept({ daily: 5 }), ['c', 'd', 'e', 'f', 'g'], 'c is the last of 1 January')
  assert.deepEqual(kept({ weekly: 3 }), ['e', 'f', 'g'])
  assert.deepEqual(kept({ monthly: 2 }), ['f', 'g'])
  assert.deepEqual(kept({ yearly: 5 }), ['f', 'g'])
  assert.deepEqual(kept({ monthly: 2, daily: 1 }), ['f', 'g'], 'rules add up, they do not multiply')
})

test('ISO weeks start on Monday', () => {
  // 2026-01-04 is a Sunday, 2026-01-05 a Monday: two weeks, two kept.
  const list = [snap('sun', '2026-01-04T12:00:00Z'), snap('mon', '2026-01-05T12:00:00Z'), snap('tue', '2026-01-06T12:00:00Z')]
  assert.deepEqual(kept({ weekly: 5 }, list), ['sun', 'tue'])
})

test('within and tags keep by time and by tag; every snapshot is either kept or removed', () => {
  const list = [...series, snap('t', '2020-01-01T00:00:00Z', { tags: ['keep'] })]
  const d = applyRetention(list, { withinMs: 24 * 3600_000 * 40, tags: ['keep'] })
  assert.deepEqual(d.keep.map((k) => k.snapshot.id).sort(), ['g', 't'])
  assert.equal(d.keep.length + d.remove.length, list.length)
})

test('a comma-separated --keep-tag list keeps snapshots with all of its tags; several lists, any of them', () => {
  const list = [
    snap('ab', '2020-01-01T00:00:00Z', { tags: ['a', 'b'] }),
    snap('a', '2020-01-02T00:00:00Z', { tags: ['a'] }),
    snap('c', '2020-01-03T00:00:00Z', { tags: ['c', 'z'] }),
    snap('none', '2020-01-04T00:00:00Z')
  ]
  assert.deepEqual(applyRetention(list, { tags: ['a,b'] }).keep.map((k) => k.snapshot.id), ['ab'])
  assert.deepEqual(applyRetention(list, { tags: ['a,b', 'c'] }).keep.map((k) => k.snapshot.id).sort(), ['ab', 'c'])
  assert.deepEqual(applyRetention(list, { tags: ['a'] }).keep.map((k) => k.snapshot.id).sort(), ['a', 'ab'])
  assert.throws(() => applyRetention(list, { tags: [',', ''] }), /no --keep-\* option given/)
  // A tag stored with a comma by an older backup --tag a,b counts as its parts: still kept.
  const old = [snap('old', '2020-01-05T00:00:00Z', { tags: ['a,b'] }), snap('plain', '2020-01-06T00:00:00Z')]
  assert.deepEqual(applyRetention(old, { tags: ['a,b'] }).keep.map((k) => k.snapshot.id), ['old'])
  assert.deepEqual(applyRetention(old, { tags: ['b'] }).keep.map((k) => k.snapshot.id), ['old'])
})

test('each host and paths series is judged alone', () => {
  const list = [snap('x1', '2026-01-01T00:00:00Z', { host: 'other' }), ...series]
  assert.deepEqual(kept({ last: 1 }, list), ['g', 'x1'])
})

test('a policy that keeps nothing, or a negative count, is refused', () => {
  assert.throws(() => applyRetention(series, {}), /no --keep-\* option/)
  assert.throws(() => applyRetention(series, { last: 0, daily: 0 }), /no --keep-\* option/)
  assert.throws(() => applyRetention(series, { daily: -1 }), /--keep-daily must be a whole number/)
})
