import { test } from 'node:test'
import assert from 'node:assert/strict'
import { PassThrough } from 'node:stream'
import { Progress, statusText } from '../src/progress.js'
import { parseOptions, reportPath } from '../src/cli-options.js'

function capture (tty: boolean): { out: NodeJS.WriteStream, text: () => string } {
  const stream = new PassThrough()
  let text = ''
  stream.on('data', (d: Buffer) => { text += d.toString() })
  const out = Object.assign(stream, { isTTY: tty, columns: 60 }) as unknown as NodeJS.WriteStream
  return { out, text: () => text }
}

test('the status line names scenario and step with their times', () => {
  assert.equal(statusText('cluster', 'first backup', 12.34, 65.2), '[cluster] first backup 12.3 s | 1:05 total')
})

test('off a terminal, progress is plain lines: one per step and the log lines', () => {
  const c = capture(false)
  const p = new Progress(c.out)
  p.scenario('network')
  p.step('put')
  p.log('  put: 100 MB/s')
  p.done()
  assert.equal(c.text(), '· network: starting\n· network: put\n  put: 100 MB/s\n')
})

test('on a terminal, the status line is redrawn in place and cleared before a log line and at the end', () => {
  const c = capture(true)
  const p = new Progress(c.out)
  p.scenario('cluster')
  p.step('first backup')
  p.log('done')
  p.done()
  const text = c.text()
  assert.match(text, /\r\x1b\[2K\[cluster\] first backup 0\.0 s \| 0:00 total\r\x1b\[2Kdone\n/)
  assert.ok(text.endsWith('\r\x1b[2K'), 'the status line is gone at the end')
  assert.ok(!text.includes('\n·'), 'no plain step lines on a terminal')
})

test('the report goes next to --out, or where --report says, or nowhere with --no-report', () => {
  assert.equal(reportPath(undefined, undefined, false), 'bench-report.html')
  assert.equal(reportPath(undefined, 'runs/x.json', false), 'runs/x.html')
  assert.equal(reportPath(undefined, 'runs/x', false), 'runs/x.html')
  assert.equal(reportPath('r.html', 'runs/x.json', false), 'r.html')
  assert.equal(reportPath('r.html', undefined, true), undefined)
})

test('the command line: all by default, sizes parsed, peers and streams chosen', () => {
  const o = parseOptions(['--quick'])
  assert.equal(o.scenario, 'all')
  assert.equal(o.quick, true)
  assert.deepEqual(o.streams, [1, 4])
  const c = parseOptions(['cluster', '--no-borg', '--size', '128MiB', '--streams', '2,8', '--report', 'r.html'])
  assert.equal(c.size, 128 * 2 ** 20)
  assert.equal(c.borg, false)
  assert.equal(c.restic, true)
  assert.deepEqual(c.streams, [2, 8])
  assert.equal(c.report, 'r.html')
  assert.throws(() => parseOptions(['nope']), /unknown scenario/)
  assert.throws(() => parseOptions(['network', '--streams', '0']), /--streams/)
})
