import { test } from 'node:test'
import assert from 'node:assert/strict'
import { isAllZero } from '../src/zero-bytes.js'

test('isAllZero answers for every length and alignment, and finds a single non-zero byte anywhere', () => {
  const backing = new Uint8Array(96)
  for (let offset = 0; offset < 16; offset++) {
    for (let length = 0; length <= 64; length++) {
      const view = backing.subarray(offset, offset + length)
      assert.equal(isAllZero(view), true, `zeros at offset ${offset}, length ${length}`)
      for (let i = 0; i < length; i++) {
        view[i] = 7
        assert.equal(isAllZero(view), false, `byte ${i} at offset ${offset}, length ${length}`)
        view[i] = 0
      }
    }
  }
})
