import '../src/index.js'
import { test } from 'node:test'
import assert from 'node:assert/strict'

test('Promise.withResolvers exists and resolves', async () => {
  const { promise, resolve } = Promise.withResolvers<number>()
  resolve(42)
  assert.equal(await promise, 42)
})

test('Promise.withResolvers rejects', async () => {
  const { promise, reject } = Promise.withResolvers<number>()
  reject(new Error('boom'))
  await assert.rejects(promise, /boom/)
})
