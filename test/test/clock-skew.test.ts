import '@resilien/polyfill'
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { access, mkdir, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { randomBytes } from 'node:crypto'
import { CLUSTER_TEST_ENV, compareTrees, joinSite, newCluster, statusOf, tempDir, waitAllUp } from '../src/index.js'
import type { Site } from '../src/index.js'

/** Debian's libfaketime (apt-get install faketime; `.ci/run` installs it): shifts a process's wall clock. */
const LIBFAKETIME = '/usr/lib/x86_64-linux-gnu/faketime/libfaketimeMT.so.1'

/** The environment of a site whose clock is `offset` off (e.g. "+7m"); its timers (monotonic) stay true. */
function skewed (offset: string): Record<string, string> {
  return { ...CLUSTER_TEST_ENV, LD_PRELOAD: LIBFAKETIME, FAKETIME: offset, FAKETIME_DONT_FAKE_MONOTONIC: '1' }
}

async function tree (work: string, name: string): Promise<string> {
  const src = join(work, name)
  await mkdir(src)
  await writeFile(join(src, 'random.bin'), randomBytes(3 * 1024 * 1024))
  await writeFile(join(src, 'text.txt'), `${name}\n`.repeat(20_000))
  return src
}

test('sites whose clocks are minutes apart back up, sync, see each other up and restore across the skew', async (t) => {
  await access(LIBFAKETIME).catch(() => { throw new Error(`${LIBFAKETIME} is missing: apt-get install faketime`) })
  const [one] = await newCluster(t, 1) as [Site]
  const ahead = await joinSite(t, one, 'ahead', skewed('+7m'))
  const behind = await joinSite(t, one, 'behind', skewed('-5m'))
  for (const site of [one, ahead, behind]) await waitAllUp(site, 3)
  const work = await tempDir(t)
  assert.equal((await behind.run(['repo', 'create', 'main'])).code, 0)
  const fromAhead = await tree(work, 'ahead-data')
  const fromOne = await tree(work, 'one-data')
  const b1 = await ahead.run(['backup', 'main', fromAhead])
  assert.equal(b1.code, 0, b1.stderr)
  const b2 = await one.run(['backup', 'main', fromOne])
  assert.equal(b2.code, 0, b2.stderr)
  const listed = JSON.parse((await behind.run(['snapshots', 'main', '--json'])).stdout) as Array<{ id: string, paths: string[] }>
  assert.equal(listed.length, 2)
  // Nobody is taken for down because of the skew, and nothing needs repair.
  const status = await statusOf(behind)
  assert.ok(status.sites.every((s) => s.up), JSON.stringify(status.sites))
  assert.equal(status.redundancy.full, status.redundancy.stripes)
  const check = await behind.run(['check', 'main', '--read-data'])
  assert.equal(check.code, 0, check.stdout + check.stderr)
  // The site whose clock runs ahead dies; the one behind restores its snapshot.
  await ahead.stop('SIGKILL')
  const snapshot = listed.find((s) => s.paths.includes(fromAhead))?.id ?? ''
  const target = join(work, 'restore')
  const restored = await behind.run(['restore', 'main', snapshot, '--target', target])
  assert.equal(restored.code, 0, restored.stderr)
  assert.deepEqual(await compareTrees(fromAhead, join(target, fromAhead)), [])
  const forget = await one.run(['forget', 'main', '--keep-last', '1', '--dry-run', '--json'])
  assert.equal(forget.code, 0, forget.stderr)
})
