import { test } from 'node:test'
import assert from 'node:assert/strict'
import { BACKOFF_JITTER, retryDelay } from '../src/jobs/backoff.js'

const POLICY = { backoffMs: 60_000, maxMs: 3_600_000 }
const middle = (): number => 0.5

test('the delay doubles from the base with each failure up to the max', () => {
  assert.deepEqual([1, 2, 3, 4, 5, 6, 7, 8, 50, 5000].map((n) => retryDelay(n, POLICY, middle)),
    [60_000, 120_000, 240_000, 480_000, 960_000, 1_920_000, 3_600_000, 3_600_000, 3_600_000, 3_600_000])
  assert.equal(retryDelay(0, POLICY, middle), 60_000, 'no failure counts as the first')
})

test('jitter spreads the delay by at most 20 % and never above the max', () => {
  assert.equal(BACKOFF_JITTER, 0.2)
  assert.equal(retryDelay(1, POLICY, () => 0), 48_000)
  assert.equal(retryDelay(1, POLICY, () => 0.999999), 72_000)
  assert.equal(retryDelay(3, POLICY, () => 0), 192_000)
  assert.equal(retryDelay(20, POLICY, () => 0), 2_880_000)
  assert.equal(retryDelay(20, POLICY, () => 0.999999), 3_600_000, 'capped')
  let seed = 1
  const lcg = (): number => (seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31
  for (let failures = 1; failures <= 12; failures++) {
    const base = Math.min(POLICY.maxMs, POLICY.backoffMs * 2 ** (failures - 1))
    for (let i = 0; i < 200; i++) {
      const d = retryDelay(failures, POLICY, lcg)
      assert.ok(d >= base * 0.8 && d <= Math.min(POLICY.maxMs, base * 1.2), `${failures} failures: ${d}`)
    }
  }
})
