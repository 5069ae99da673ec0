import { test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdir, symlink, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { compileExclusion } from '../src/exclude-rules.js'
import { startScan } from '../src/scanner.js'
import { finished, tempDir } from './helpers.js'

test('a scan counts the same files and bytes with blocking and with event-loop calls, excludes and links left out', async (t) => {
  const root = await tempDir(t)
  // More entries than one blocking slice (256), spread over folders.
  for (let d = 0; d < 30; d++) {
    await mkdir(join(root, `d${d}`, 'sub'), { recursive: true })
    for (let f = 0; f < 12; f++) await writeFile(join(root, `d${d}`, f % 2 === 0 ? `f${f}` : join('sub', `f${f}`)), Buffer.alloc(d * 100 + f))
  }
  await mkdir(join(root, 'skip'))
  await writeFile(join(root, 'skip', 'big'), Buffer.alloc(1_000_000))
  await symlink(join(root, 'd1'), join(root, 'link'))
  const exclusion = compileExclusion({ patterns: [join(root, 'skip')] })
  const expected = { files: 360, bytes: 0 }
  for (let d = 0; d < 30; d++) for (let f = 0; f < 12; f++) expected.bytes += d * 100 + f
  for (const blocking of [false, true]) {
    const totals = await finished(startScan([root], { exclusion, blocking }))
    assert.deepEqual(totals, { ...expected, complete: true }, blocking ? 'blocking' : 'promises')
  }
})

test('a stopped scan is never complete', async (t) => {
  const root = await tempDir(t)
  for (let f = 0; f < 600; f++) await writeFile(join(root, `f${f}`), 'x')
  for (const blocking of [false, true]) {
    const scan = startScan([root], { blocking })
    scan.stop()
    await sleep(50)
    assert.equal(scan.totals.complete, false, blocking ? 'blocking' : 'promises')
  }
})
