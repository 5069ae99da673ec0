import { test } from 'node:test'
import assert from 'node:assert/strict'
import { machineRows, renderHtml, tableHtml } from '../src/html-report/html.js'
import { formatTableText, isFigureCell, sectionsToText } from '../src/html-report/sections.js'
import type { ReportSection } from '../src/html-report/sections.js'
import { describeMachine, mountOf, storageNote } from '../src/machine.js'
import { markupProblems } from './xml-balance.js'

const SECTIONS: ReportSection[] = [
  { lines: ['resilien bench cluster (quick)', 'warning: restic <0.14> & borg'] },
  {
    title: 'phases',
    tables: [{ rows: [['phase', 'resilien', 'restic'], ['first backup: MB/s', '120', '-'], ['peak RSS', '195/121/131', '109']] }],
    charts: [
      { kind: 'bars', spec: { title: 'MB/s', unit: 'MB/s', groups: [{ label: 'first backup', values: [{ series: 'resilien', value: 120 }] }] } },
      { kind: 'lines', spec: { title: 'RSS', xUnit: 's', yUnit: 'MiB', series: [{ name: 'site1', points: [[0, 1], [1, 2]] }] } }
    ]
  },
  { preformatted: 'a  <b>  c' }
]

test('the HTML report is one well-formed, self-contained page with the machine, the tables and the charts', () => {
  const machine = describeMachine({ blake3: 'native' }, { 'BLAKE3 hash': { active: 'native', fast: true, available: ['native', 'wasm'] } })
  const html = renderHtml({ title: 'resilien bench cluster', startedAt: '2025-01-01T00:00:00Z', command: 'resilien bench cluster --quick', machine, scenarios: [{ name: 'cluster', sections: SECTIONS }] })
  assert.deepEqual(markupProblems(html, ['meta']), [])
  assert.match(html, /^<!DOCTYPE html>/)
  assert.equal(html.match(/<svg /g)?.length, 2)
  assert.equal(html.match(/<table>/g)?.length, 2, 'the machine table and the phases table')
  assert.match(html, /<th>cores<\/th><td>\d+<\/td>/)
  assert.match(html, /BLAKE3 hash.*native \(fast path\); available here: native, wasm/)
  assert.match(html, /restic &lt;0\.14&gt; &amp; borg/)
  assert.match(html, /<pre>a  &lt;b&gt;  c<\/pre>/)
  assert.doesNotMatch(html, /<script|src="http|href="http|<link /, 'nothing loaded from elsewhere')
})

test('tables align figures right and words left, in text and in HTML', () => {
  assert.ok(isFigureCell('12.5') && isFigureCell('-') && isFigureCell('195/121/131') && isFigureCell('0.38'))
  assert.ok(!isFigureCell('site1') && !isFigureCell('>= 1x restic'))
  assert.equal(formatTableText([['a', 'tool', 'n'], ['x', 'restic', '5'], ['yy', 'borg', '10']]), 'a   tool     n\nx   restic   5\nyy  borg    10')
  assert.match(tableHtml({ rows: [['a', 'n'], ['x', '5']] }), /<th class="n">n<\/th>.*<td class="n">5<\/td>/s)
})

test('the text report has the lines, the titled tables and the preformatted text, and no charts', () => {
  const text = sectionsToText(SECTIONS)
  assert.match(text, /^resilien bench cluster \(quick\)\n/)
  assert.match(text, /\n\nphases:\nphase {18}resilien  restic\n/)
  assert.doesNotMatch(text, /<svg/)
  assert.match(text, /a {2}<b> {2}c$/)
})

test('the storage location is the longest mount point above the path', () => {
  const mounts = '/dev/vda / ext4 rw 0 0\ntmpfs /tmp tmpfs rw 0 0\n/dev/vdb /tmp/big\\040disk xfs rw 0 0\n'
  assert.deepEqual(mountOf(mounts, '/tmp/big disk/x'), { mountPoint: '/tmp/big disk', filesystem: 'xfs', device: '/dev/vdb' })
  assert.deepEqual(mountOf(mounts, '/tmp/bigger'), { mountPoint: '/tmp', filesystem: 'tmpfs', device: 'tmpfs' })
  assert.deepEqual(mountOf(mounts, '/work'), { mountPoint: '/', filesystem: 'ext4', device: '/dev/vda' })
})

test('ext4 without a journal is noted with the storage; with one, or another file system, nothing is', () => {
  assert.match(storageNote('ext4', '<none>\n') ?? '', /ext4 without a journal: inodes freed in the last 1 to 6 minutes/)
  assert.equal(storageNote('ext4', '412\n'), undefined)
  assert.equal(storageNote('ext4', undefined), undefined)
  assert.equal(storageNote('xfs', '<none>'), undefined)
  const storage = { path: '/t', mountPoint: '/', filesystem: 'ext4', device: '/dev/vda', freeBytes: 0, totalBytes: 0 }
  const row = (note?: string): string => machineRows({ ...describeMachine({}), storage: { ...storage, ...(note === undefined ? {} : { note }) } }).find(([k]) => k === 'storage')?.[1] ?? ''
  assert.match(row('NOTE'), /GiB free; NOTE$/)
  assert.match(row(), /GiB free$/)
})
