import { test } from 'node:test'
import assert from 'node:assert/strict'
import { InvalidInputError } from '@resilien/types'
import { encodeBatches } from '../src/catalog-batches.js'
import { BATCH_TARGET_BYTES, MAX_BATCH_ENTRIES, MAX_JSON_BODY_BYTES } from '../src/constants.js'

async function collect<T> (items: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = []
  for await (const item of items) out.push(item)
  return out
}

const decoder = new TextDecoder()

test('batches close at MAX_BATCH_ENTRIES entries and decode back to the entries in order', async () => {
  const entries = Array.from({ length: 2 * MAX_BATCH_ENTRIES + 7 }, (_, seq) => ({ site: 's', seq }))
  const batches = await collect(encodeBatches(entries))
  assert.deepEqual(batches.map((b) => b.count), [MAX_BATCH_ENTRIES, MAX_BATCH_ENTRIES, 7])
  assert.deepEqual(batches.flatMap((b) => JSON.parse(decoder.decode(b.body)) as unknown[]), entries)
})

test('batches close once their JSON would pass the byte target; one large entry travels alone', async () => {
  const big = 'x'.repeat(300 * 1024)
  const entries = [...Array.from({ length: 7 }, (_, seq) => ({ seq, big })), { seq: 7, big: 'y'.repeat(2 * BATCH_TARGET_BYTES) }, { seq: 8 }]
  const batches = await collect(encodeBatches(entries))
  assert.deepEqual(batches.map((b) => b.count), [3, 3, 1, 1, 1])
  for (const batch of batches.slice(0, 2)) assert.ok(batch.body.byteLength <= BATCH_TARGET_BYTES)
  assert.deepEqual(batches.flatMap((b) => JSON.parse(decoder.decode(b.body)) as unknown[]), entries)
})

test('an entry larger than a JSON body may be is refused, as is one that is not JSON', async () => {
  await assert.rejects(collect(encodeBatches([{ big: 'z'.repeat(MAX_JSON_BODY_BYTES) }])), InvalidInputError)
  await assert.rejects(collect(encodeBatches([undefined])), InvalidInputError)
})
