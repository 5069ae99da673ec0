import { test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { JOBS_STATE_FILE, JobStateStore, MAX_RESULT_MESSAGE } from '../src/jobs/job-state.js'
import type { TestContext } from 'node:test'

async function dataDir (t: TestContext): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'resilien-job-state-'))
  t.after(async () => rm(dir, { recursive: true, force: true }))
  return dir
}

function collect (): { lines: string[], log: (line: string) => void } {
  const lines: string[] = []
  return { lines, log: (line) => lines.push(line) }
}

test('the state of each job survives a reopen, field by field, in a 0600 file', async (t) => {
  const dir = await dataDir(t)
  const store = await JobStateStore.open({ dataDir: dir })
  assert.deepEqual(store.get('nextcloud'), { consecutiveFailures: 0, maintenanceOn: false }, 'a job without history')
  await store.update('nextcloud', { lastRunAt: new Date('2024-03-31T01:00:00Z'), lastResult: 'running', maintenanceOn: true })
  const full = {
    lastRunAt: new Date('2024-03-31T01:00:00Z'),
    lastResult: 'failed' as const,
    lastMessage: 'pg_dump: error: connection to server failed',
    lastDurationMs: 12_345,
    lastSnapshot: 'ab'.repeat(32),
    lastSizeBytes: 7_000_000_000,
    consecutiveFailures: 2,
    nextRetryAt: new Date('2024-03-31T01:10:00Z'),
    maintenanceOn: false,
    lastPruneAt: new Date('2024-03-30T04:00:00Z')
  }
  assert.deepEqual(await store.update('nextcloud', full), full)
  await store.update('pad', { lastResult: 'ok', lastRunAt: new Date('2024-03-31T00:15:00Z') })
  const { lines, log } = collect()
  const reopened = await JobStateStore.open({ dataDir: dir, log })
  assert.deepEqual(reopened.get('nextcloud'), full)
  assert.deepEqual(reopened.get('pad'), { consecutiveFailures: 0, maintenanceOn: false, lastResult: 'ok', lastRunAt: new Date('2024-03-31T00:15:00Z') })
  assert.deepEqual(lines, [])
  assert.equal((await stat(join(dir, JOBS_STATE_FILE))).mode & 0o777, 0o600)
  assert.deepEqual((await readdir(dir)).sort(), [JOBS_STATE_FILE], 'no temporary file left')
})

test('a field set to undefined is cleared; get returns copies', async (t) => {
  const dir = await dataDir(t)
  const store = await JobStateStore.open({ dataDir: dir })
  await store.update('a', { nextRetryAt: new Date(1000), consecutiveFailures: 3 })
  const got = store.get('a')
  got.nextRetryAt?.setTime(0)
  assert.equal(store.get('a').nextRetryAt?.getTime(), 1000)
  await store.update('a', { nextRetryAt: undefined, consecutiveFailures: 0 })
  assert.deepEqual(store.get('a'), { consecutiveFailures: 0, maintenanceOn: false, nextRetryAt: undefined })
  assert.deepEqual(JSON.parse(await readFile(join(dir, JOBS_STATE_FILE), 'utf8')).jobs.a, { consecutiveFailures: 0, maintenanceOn: false })
})

test('a result message is kept as one bounded line', async (t) => {
  const store = await JobStateStore.open({ dataDir: await dataDir(t) })
  const s = await store.update('a', { lastMessage: 'backup failed:\n  pg_dump: error\r\n  second line ' + 'x'.repeat(1000) })
  assert.equal(s.lastMessage?.includes('\n'), false)
  assert.ok(s.lastMessage?.startsWith('backup failed: pg_dump: error second line xxx'))
  assert.equal(s.lastMessage?.length, MAX_RESULT_MESSAGE)
})

test('only configured jobs are kept; a removed job still in maintenance mode is named in a warning', async (t) => {
  const dir = await dataDir(t)
  const store = await JobStateStore.open({ dataDir: dir })
  await store.update('kept', { lastResult: 'ok' })
  await store.update('gone', { lastResult: 'ok' })
  await store.update('stuck', { maintenanceOn: true })
  const { lines, log } = collect()
  const reopened = await JobStateStore.open({ dataDir: dir, jobs: ['kept', 'new'], log })
  assert.deepEqual(reopened.names(), ['kept'])
  assert.equal(lines.length, 1)
  assert.match(lines[0] as string, /job "stuck" .*maintenance mode/)
  await reopened.retain(['new'])
  assert.deepEqual(reopened.names(), [])
  assert.deepEqual(Object.keys(JSON.parse(await readFile(join(dir, JOBS_STATE_FILE), 'utf8')).jobs), [])
})

test('a corrupt file gives an empty state, one warning, and is set aside; a missing one is silent', async (t) => {
  const dir = await dataDir(t)
  for (const corrupt of ['{"version": 1, "jobs": {"a": {"lastRes', '[]', '{"version": 2, "jobs": {}}', 'null', '']) {
    await writeFile(join(dir, JOBS_STATE_FILE), corrupt)
    const { lines, log } = collect()
    const store = await JobStateStore.open({ dataDir: dir, log })
    assert.deepEqual(store.names(), [], corrupt)
    assert.equal(lines.length, 1, corrupt)
    assert.match(lines[0] as string, /jobs-state\.json is corrupt .*start without history/)
    assert.equal(await readFile(join(dir, JOBS_STATE_FILE + '.corrupt'), 'utf8'), corrupt)
    await store.update('a', { lastResult: 'ok' })
    assert.equal((await JobStateStore.open({ dataDir: dir, log })).get('a').lastResult, 'ok', 'the next write makes it whole')
    assert.equal(lines.length, 1)
  }
  const { lines, log } = collect()
  assert.deepEqual((await JobStateStore.open({ dataDir: await dataDir(t), log })).names(), [])
  assert.deepEqual(lines, [], 'a first start has nothing to say')
})

test('invalid fields are dropped with one warning; the valid ones are kept', async (t) => {
  const dir = await dataDir(t)
  await writeFile(join(dir, JOBS_STATE_FILE), JSON.stringify({
    version: 1,
    jobs: { a: { lastResult: 'exploded', lastRunAt: 'yesterday', consecutiveFailures: -1, maintenanceOn: true, lastSizeBytes: 5 }, b: 7 }
  }))
  const { lines, log } = collect()
  const store = await JobStateStore.open({ dataDir: dir, log })
  assert.deepEqual(store.get('a'), { consecutiveFailures: 0, maintenanceOn: true, lastSizeBytes: 5 })
  assert.deepEqual(store.names(), ['a'])
  assert.deepEqual(lines, ['warning: jobs-state.json: ignored what is not valid: a.lastResult, a.lastRunAt, a.consecutiveFailures, b'])
})

test('concurrent updates of different jobs are all written', async (t) => {
  const dir = await dataDir(t)
  const store = await JobStateStore.open({ dataDir: dir })
  await Promise.all(Array.from({ length: 20 }, async (_, i) => store.update(`job-${i}`, { lastSizeBytes: i })))
  const reopened = await JobStateStore.open({ dataDir: dir })
  assert.equal(reopened.names().length, 20)
  for (let i = 0; i < 20; i++) assert.equal(reopened.get(`job-${i}`).lastSizeBytes, i)
})
