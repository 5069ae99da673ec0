import { test } from 'node:test'
import assert from 'node:assert/strict'
import { niceTicks, tickLabel } from '../src/html-report/axis.js'
import { barChart } from '../src/html-report/bar-chart.js'
import { lineChart, linePath } from '../src/html-report/line-chart.js'
import { escapeMarkup } from '../src/html-report/markup.js'
import { markupProblems } from './xml-balance.js'

test('nice ticks start at 0, step by 1, 2 or 5 x 10^n and end at or above the maximum', () => {
  assert.deepEqual(niceTicks(93), [0, 20, 40, 60, 80, 100])
  assert.deepEqual(niceTicks(5), [0, 1, 2, 3, 4, 5])
  assert.deepEqual(niceTicks(0.37), [0, 0.1, 0.2, 0.3, 0.4])
  assert.deepEqual(niceTicks(0), [0, 1])
  assert.deepEqual(niceTicks(Number.NaN), [0, 1])
  for (const max of [1, 7, 13, 99, 101, 250, 1999, 3.3e6]) {
    const ticks = niceTicks(max)
    assert.ok((ticks[ticks.length - 1] as number) >= max, `${max}: ${ticks.join(',')}`)
    assert.ok(ticks.length <= 7, `${max}: ${ticks.length} ticks`)
  }
})

test('tick labels are short: three significant digits, thousands as k', () => {
  assert.equal(tickLabel(0.30000000000000004), '0.3')
  assert.equal(tickLabel(1234.5), '1230')
  assert.equal(tickLabel(25_000), '25k')
})

test('a bar chart draws one bar per present value, says n/a for a missing one, and escapes its labels', () => {
  const svg = barChart({
    title: 'MB/s <per> phase & tool',
    unit: 'MB/s',
    groups: [
      { label: 'first backup', values: [{ series: 'resilien', value: 120 }, { series: 'restic', value: 100 }, { series: 'borg', value: undefined }] },
      { label: 'restore', values: [{ series: 'resilien', value: 80 }, { series: 'restic', value: 150 }] }
    ]
  })
  assert.deepEqual(markupProblems(svg), [])
  assert.match(svg, /^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg"/)
  assert.match(svg, /MB\/s &lt;per&gt; phase &amp; tool/)
  // 3 legend swatches + 4 bars.
  assert.equal(svg.match(/<rect /g)?.length, 7)
  assert.equal(svg.match(/>n\/a</g)?.length, 1)
  const widths = [...svg.matchAll(/<rect x="[\d.]+" y="[\d.]+" width="([\d.]+)" height="14"/g)].map((m) => Number(m[1]))
  // The longest bar (150) is the widest, and bars are proportional to their values.
  assert.equal(Math.max(...widths), widths[3])
  assert.ok(Math.abs((widths[0] as number) / (widths[2] as number) - 120 / 80) < 0.02)
})

test('a line chart breaks its line at gaps, shades the steps and keeps to its frame', () => {
  const svg = lineChart({
    title: 'RSS',
    xUnit: 's',
    yUnit: 'MiB',
    series: [
      { name: 'site1', points: [[0, 100], [1, 120], [2, 110]] },
      { name: 'cli', points: [[0.5, 40], [0.75, null], [1.5, 42], [1.75, 44], [2, null]] }
    ],
    bands: [{ name: 'first backup', start: 0, end: 1.2 }, { name: 'restore', start: 1.2, end: 2 }]
  })
  assert.deepEqual(markupProblems(svg), [])
  const paths = [...svg.matchAll(/<path d="([^"]+)"/g)].map((m) => m[1] as string)
  assert.equal(paths.length, 2)
  // The CLI's line has two pieces: a lone sample (drawn as a short stroke) and a pair.
  assert.equal(paths[1]?.match(/M/g)?.length, 2)
  assert.match(paths[1] as string, /h2/)
  for (const d of paths) {
    for (const [, x, y] of d.matchAll(/([\d.]+) ([\d.]+)/g)) {
      assert.ok(Number(x) >= 0 && Number(x) <= 760 && Number(y) >= 0 && Number(y) <= 300, `${x},${y} outside the chart`)
    }
  }
  assert.match(svg, /<title>1\. first backup: 0-1\.2 s<\/title>/)
})

test('a line path moves after each gap and draws lines in between', () => {
  const id = (v: number): number => v
  assert.equal(linePath([[0, 1], [1, 2], [2, null], [3, 4], [4, 5]], id, id), 'M0 1L1 2M3 4L4 5')
  assert.equal(linePath([[0, null]], id, id), '')
})

test('markup escaping covers the five special characters', () => {
  assert.equal(escapeMarkup(`<a href="x">'&'</a>`), '&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;')
})
