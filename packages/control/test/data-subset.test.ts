import { test } from 'node:test'
import assert from 'node:assert/strict'
import { InvalidInputError } from '@resilien/types'
import type { DataSubset } from '@resilien/types'
import { checkedDataSubset, parseDataSubset } from '../src/index.js'

test('--read-data-subset takes restic\'s three forms: a percentage, a group n/t, a size', () => {
  assert.deepEqual(parseDataSubset('10%'), { kind: 'share', share: 0.1 })
  assert.deepEqual(parseDataSubset('2.5'), { kind: 'share', share: 0.025 }, 'a bare number is a percentage, as before')
  assert.deepEqual(parseDataSubset('100%'), { kind: 'share', share: 1 })
  assert.deepEqual(parseDataSubset('1/7'), { kind: 'group', n: 1, of: 7 })
  assert.deepEqual(parseDataSubset(' 7/7 '), { kind: 'group', n: 7, of: 7 })
  assert.deepEqual(parseDataSubset('500MiB'), { kind: 'bytes', bytes: 500 * 2 ** 20 })
  assert.deepEqual(parseDataSubset('2GB'), { kind: 'bytes', bytes: 2e9 })
  assert.deepEqual(parseDataSubset('500M'), { kind: 'bytes', bytes: 500 * 2 ** 20 }, 'a single letter is binary, as restic reads it')
})

test('a subset that makes no sense is one clear error', () => {
  for (const bad of ['0%', '0', '101%', '0/7', '8/7', '1/0', '-1/3', '1/2/3', '0MiB', '12XB', '', 'half']) {
    assert.throws(() => parseDataSubset(bad), (err: unknown) => err instanceof InvalidInputError && /read-data-subset/.test(err.message), bad)
  }
  // What a client sends is checked again by the node.
  for (const bad of [null, 0.5, { kind: 'share', share: 0 }, { kind: 'group', n: 1.5, of: 3 }, { kind: 'bytes', bytes: -1 }, { kind: 'all' }]) {
    assert.throws(() => checkedDataSubset(bad as unknown as DataSubset), InvalidInputError, JSON.stringify(bad))
  }
})
