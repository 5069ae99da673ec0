import { test } from 'node:test'
import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import type { StripeRecord } from '@resilien/types'
import { packChoice } from '../src/pack-choice.js'
import type { PackTotals } from '../src/pack-choice.js'

const MiB = 2 ** 20

function stripes (count: number, packLength: (i: number) => number): StripeRecord[] {
  return Array.from({ length: count }, (_, i) => ({ repo: 'r', pack: randomBytes(32).toString('hex'), k: 2, m: 1, packLength: packLength(i), shardLength: 0, shards: [] }))
}

const noTotal = async (): Promise<PackTotals> => { throw new Error('the totals are asked only for a share or a size') }
const totalsOf = (all: readonly StripeRecord[]) => async (): Promise<PackTotals> => ({ packs: all.length, bytes: all.reduce((n, s) => n + s.packLength, 0) })

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
    const choose = await packChoice(false, { kind: 'bytes', bytes: wanted }, totalsOf(all))
    const bytes = all.filter(choose).reduce((n, s) => n + s.packLength, 0)
    assert.ok(Math.abs(bytes - wanted) < wanted * 0.3, `${bytes / MiB} MiB taken for ${wanted / MiB} wanted`)
  }
  const everything = await packChoice(false, { kind: 'bytes', bytes: total * 2 }, totalsOf(all))
  assert.ok(all.every(everything))
  const exact = await packChoice(false, { kind: 'bytes', bytes: total }, totalsOf(all))
  assert.ok(all.every(exact), 'exactly the total takes every pack')
})

test('read-data takes every pack, no subset none, a share exactly ceil(share x packs) of them, at least one', async () => {
  const all = stripes(4000, () => MiB)
  assert.ok(all.every(await packChoice(true, { kind: 'share', share: 0.01 }, noTotal)))
  assert.ok(!all.some(await packChoice(false, undefined, noTotal)))
  assert.equal(all.filter(await packChoice(false, { kind: 'share', share: 0.1 }, totalsOf(all))).length, 400)
  const few = all.slice(0, 20)
  for (let i = 0; i < 50; i++) {
    assert.equal(few.filter(await packChoice(false, { kind: 'share', share: 0.01 }, totalsOf(few))).length, 1, '1 % of 20 packs is one pack, never none')
  }
  // Chance decides which: over many draws every pack of the few is taken sometimes.
  const taken = new Set<string>()
  for (let i = 0; i < 400; i++) for (const s of few.filter(await packChoice(false, { kind: 'share', share: 0.1 }, totalsOf(few)))) taken.add(s.pack)
  assert.equal(taken.size, few.length)
})
