import { test } from 'node:test'
import assert from 'node:assert/strict'
import { SeriesBook, downsample, seriesPeak } from '../src/process/series.js'
import type { SeriesPoint } from '../src/process/series.js'

test('a series book records values per name and one gap however long a process is away', () => {
  const book = new SeriesBook()
  book.add('cli', 0, 10)
  book.gap('cli', 0.25)
  book.gap('cli', 0.5)
  book.add('cli', 1, 12)
  book.add('site1', 0, 100)
  book.gap('never', 0)
  assert.deepEqual(book.toJSON(), [
    { name: 'cli', points: [[0, 10], [0.25, null], [1, 12]] },
    { name: 'site1', points: [[0, 100]] },
    { name: 'never', points: [] }
  ])
})

test('downsampling keeps each bucket\'s peak at its own time, and every gap', () => {
  const points: SeriesPoint[] = Array.from({ length: 1000 }, (_, i) => [i / 4, i === 333 ? 5000 : i % 7])
  points[600] = [150, null]
  const small = downsample(points, 100)
  assert.ok(small.length <= 110, `${small.length} points`)
  assert.ok(small.some(([t, v]) => t === 333 / 4 && v === 5000), 'the peak is kept where it was')
  assert.ok(small.some(([t, v]) => t === 150 && v === null), 'the gap is kept')
  assert.equal(seriesPeak(small), seriesPeak(points))
  // Times stay in order.
  for (let i = 1; i < small.length; i++) assert.ok((small[i] as SeriesPoint)[0] > (small[i - 1] as SeriesPoint)[0])
})

test('a series short enough is left as it is', () => {
  const points: SeriesPoint[] = [[0, 1], [1, null], [2, 3]]
  assert.deepEqual(downsample(points, 3), points)
  assert.throws(() => downsample(points, 0), RangeError)
})
