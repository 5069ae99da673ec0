import { test } from 'node:test'
import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import type { StripeRecord } from '@resilien/types'
import { packChoice } from '../src/pack-choice.js'

const MiB = 2 ** 20

function stripes (count: number, packLength: (i: number) => number): StripeRecord[] {
  return Array.from({ length: count }, (_, i) => ({ repo: 'r', pack: randomBytes(32).toString('hex'), k: 2, m: 1, packLength: packLength(i), shardLength: 0, shards: [] }))
}

const noTotal = async (): Promise<number> => { throw new Error('the total is asked only for a size') }

test('groups n/t split the packs: every pack is in exactly one group, and the groups are about equal', async () => {
  const all = stripes(7000, () => 4 * MiB)
  const counts: number[] = []
  const seen = new Map<string, number>()
  for (let n = 1; n <= 7; n++) {
    const choose = await packChoice(false, { kind: 'group', n, of: 7 }, noTotal)
    const chosen = all.filter(choose)
    counts.push(chosen.length)
    for (const s of chosen) seen.set(s.pack, (seen.get(s.pack) ?? 0) + 1)
    // The same group twice is the same packs: the split does not depend on chance or order.
    const again = await packChoice(false, { kind: 'group', n, of: 7 }, noTotal)
    assert.deepEqual([...all].reverse().filter(again).map((s) => s.pack).sort(), chosen.map((s) => s.pack).sort())
  }
  assert.equal(seen.size, all.length)
  assert.ok([...seen.values()].every((times) => times === 1))
  for (const c of counts) assert.ok(c > 800 && c < 1200, `group of ${c} packs, about 1000 expected`)
  const one = await packChoice(false, { kind: 'group', n: 1, of: 1 }, noTotal)
  assert.ok(all.every(one), '1/1 is every pack')
})

test('a size takes packs at random until about that many bytes; a size above the total takes them all', async () => {
  const all = stripes(1000, (i) => (1 + (i % 7)) * MiB)
  const total = all.reduce((n, s) => n + s.packLength, 0)
  for (const wanted of [100 * MiB, 1000 * MiB]) {
    const choose = await packChoice(false, { kind: 'bytes', bytes: wanted }, async () => total)
    const bytes = all.filter(choose).reduce((n, s) => n + s.packLength, 0)
    assert.ok(Math.abs(bytes - wanted) < wanted * 0.3, `${bytes / MiB} MiB taken for ${wanted / MiB} wanted`)
  }
  const everything = await packChoice(false, { kind: 'bytes', bytes: total * 2 }, async () => total)
  assert.ok(all.every(everything))
  const exact = await packChoice(false, { kind: 'bytes', bytes: total }, async () => total)
  assert.ok(all.every(exact), 'exactly the total takes every pack')
})

test('read-data takes every pack, no subset none, a share about its share', async () => {
  const all = stripes(4000, () => MiB)
  assert.ok(all.every(await packChoice(true, { kind: 'share', share: 0.01 }, noTotal)))
  assert.ok(!all.some(await packChoice(false, undefined, noTotal)))
  const tenth = all.filter(await packChoice(false, { kind: 'share', share: 0.1 }, noTotal)).length
  assert.ok(tenth > 250 && tenth < 550, `${tenth} of 4000 for 10 %`)
})
