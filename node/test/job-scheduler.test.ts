import assert from 'node:assert/strict'
import { test } from 'node:test'
import type { TestContext } from 'node:test'
import type { Clock } from '../src/job-runner/clock.js'
import type { JobRunOutcome } from '../src/job-runner/job-run.js'
import { JobScheduler } from '../src/job-runner/job-scheduler.js'
import type { JobStates } from '../src/job-runner/job-scheduler.js'
import type { JobState } from '../src/jobs/job-state.js'
import type { JobSpec } from '../src/jobs/job-spec.js'

const MINUTE = 60_000
const HOUR = 60 * MINUTE

/** A clock that moves only when the test says; sleepers wake when their time is reached. */
class FakeClock implements Clock {
  private sleepers: Array<{ at: number, wake: () => void }> = []
  constructor (public time: number) {}
  now = (): number => this.time
  sleep = async (ms: number, signal: AbortSignal): Promise<void> => await new Promise<void>((resolve) => {
    if (signal.aborted) {
      resolve()
      return
    }
    const sleeper = { at: this.time + ms, wake: resolve }
    this.sleepers.push(sleeper)
    signal.addEventListener('abort', () => {
      this.sleepers = this.sleepers.filter((s) => s !== sleeper)
      resolve()
    }, { once: true })
  })

  /** Moves time forward in steps of at most a minute, letting the scheduler react at each. */
  async advance (ms: number): Promise<void> {
    const end = this.time + ms
    while (this.time < end) {
      this.time = Math.min(end, this.time + MINUTE)
      const due = this.sleepers.filter((s) => s.at <= this.time)
      this.sleepers = this.sleepers.filter((s) => s.at > this.time)
      for (const s of due) s.wake()
      await settle()
    }
  }
}

async function settle (): Promise<void> {
  for (let i = 0; i < 20; i++) await new Promise((resolve) => setImmediate(resolve))
}

class MemoryState implements JobStates {
  readonly records = new Map<string, JobState>()
  get (name: string): JobState {
    return this.records.get(name) ?? { consecutiveFailures: 0, maintenanceOn: false }
  }

  async update (name: string, patch: Partial<JobState>): Promise<JobState> {
    this.records.set(name, { ...this.get(name), ...patch })
    return this.get(name)
  }
}

function job (overrides: Partial<JobSpec> = {}): JobSpec {
  return {
    name: 'nightly',
    repo: 'main',
    schedule: { cron: '0 * * * *', timezone: 'UTC' },
    passwordFile: '/nonexistent',
    tags: [],
    timeoutMs: HOUR,
    retry: { attempts: 2, backoffMs: 5 * MINUTE, maxMs: 30 * MINUTE },
    hooks: { before: [], after: [], onFailure: [] },
    source: 'paths',
    plan: { before: [], dumps: [], paths: ['/srv'], optionalPaths: [], exclude: [], after: [] },
    ...overrides
  }
}

const outcome: JobRunOutcome = { snapshot: 'a'.repeat(64), addedBytes: 10, totalBytes: 100, files: 1, forgotten: 0, warnings: 0 }
const T0 = Date.UTC(2026, 10, 21, 0, 30)

interface Harness {
  clock: FakeClock
  state: MemoryState
  runs: number[]
  lines: string[]
  scheduler: JobScheduler
}

async function harness (t: TestContext, spec: JobSpec, run: (n: number) => Promise<JobRunOutcome>, state = new MemoryState(), extra: { undo?: () => Promise<void>, prune?: () => Promise<void> } = {}): Promise<Harness> {
  const clock = new FakeClock(T0)
  const runs: number[] = []
  const lines: string[] = []
  const scheduler = new JobScheduler({
    jobs: [spec],
    state,
    clock,
    log: (line) => lines.push(line),
    run: async () => {
      runs.push(clock.now())
      return await run(runs.length)
    },
    prune: extra.prune ?? (async () => {}),
    undo: extra.undo ?? (async () => {}),
    random: () => 0.5
  })
  await scheduler.start()
  t.after(async () => { await scheduler.stop() })
  await settle()
  return { clock, state, runs, lines, scheduler }
}

test('a job runs at each scheduled time, and its state says what the last run did', async (t) => {
  const h = await harness(t, job(), async () => outcome)
  assert.deepEqual(h.runs, [], 'never ran before: nothing was missed')
  await h.clock.advance(3 * HOUR)
  assert.deepEqual(h.runs, [T0 + 30 * MINUTE, T0 + 90 * MINUTE, T0 + 150 * MINUTE])
  const [status] = h.scheduler.list()
  assert.equal(status?.lastResult, 'ok')
  assert.equal(status?.lastSnapshot, outcome.snapshot)
  assert.equal(status?.nextRunAt, T0 + 210 * MINUTE)
  assert.ok(h.lines.every((l) => l.startsWith('resilien: job nightly: ok in')), h.lines.join('\n'))
})

test('a slow run is not overlapped: the times it covers are skipped, the next one runs', async (t) => {
  let finish: () => void = () => {}
  const h = await harness(t, job(), async (n) => {
    if (n === 1) await new Promise<void>((resolve) => { finish = resolve })
    return outcome
  })
  await h.clock.advance(3 * HOUR)
  assert.equal(h.runs.length, 1, 'one run while the first is still going')
  assert.equal(h.scheduler.list()[0]?.running, true)
  await assert.rejects(h.scheduler.runNow('nightly'), /running already/)
  finish()
  await settle()
  await h.clock.advance(HOUR)
  assert.equal(h.runs.length, 2)
  assert.equal(h.runs[1], T0 + 210 * MINUTE, 'the next run is at the next scheduled time after the slow one')
})

test('a run missed while the node was down runs once at start', async (t) => {
  const state = new MemoryState()
  await state.update('nightly', { lastRunAt: new Date(T0 - 3 * HOUR), lastResult: 'ok' })
  const h = await harness(t, job(), async () => outcome, state)
  assert.deepEqual(h.runs, [T0], 'three missed times, one run')
  assert.ok(h.lines.some((l) => l.includes('was missed while the node was down')))
  const fresh = new MemoryState()
  await fresh.update('nightly', { lastRunAt: new Date(T0 - 10 * MINUTE), lastResult: 'ok' })
  const quiet = await harness(t, job(), async () => outcome, fresh)
  assert.deepEqual(quiet.runs, [], 'no scheduled time since the last run')
})

test('a failed run is retried with backoff, then the job waits for its next time', async (t) => {
  const h = await harness(t, job({ schedule: { cron: '0 3 * * *', timezone: 'UTC' } }), async () => { throw new Error('pg_dump: connection refused') })
  await assert.rejects(h.scheduler.runNow('nightly'), /connection refused/)
  assert.equal(h.state.get('nightly').consecutiveFailures, 1)
  assert.equal(h.state.get('nightly').nextRetryAt?.getTime(), T0 + 5 * MINUTE, 'first retry after the base delay (jitter centred)')
  await h.clock.advance(5 * MINUTE)
  assert.equal(h.runs.length, 2)
  assert.equal(h.state.get('nightly').nextRetryAt?.getTime(), T0 + 5 * MINUTE + 10 * MINUTE, 'the delay doubles')
  await h.clock.advance(10 * MINUTE)
  assert.equal(h.runs.length, 3)
  assert.equal(h.state.get('nightly').nextRetryAt, undefined, 'attempts used up')
  await h.clock.advance(HOUR)
  assert.equal(h.runs.length, 3, 'no more retries')
  assert.equal(h.scheduler.list()[0]?.nextRunAt, Date.UTC(2026, 10, 21, 3, 0))
  assert.ok(h.lines.at(-1)?.includes('failed after') === true && h.lines.at(-1)?.includes('waits for its next scheduled time') === true, h.lines.at(-1))
})

test('a node that died mid-run turns maintenance mode off at start and records the run as interrupted', async (t) => {
  const state = new MemoryState()
  await state.update('nightly', { lastRunAt: new Date(T0 - 5 * MINUTE), lastResult: 'running', maintenanceOn: true })
  let undone = 0
  const h = await harness(t, job(), async () => outcome, state, { undo: async () => { undone++ } })
  assert.equal(undone, 1)
  assert.equal(h.state.get('nightly').lastResult, 'failed')
  assert.match(h.state.get('nightly').lastMessage ?? '', /interrupted/)
  assert.ok(h.state.get('nightly').nextRetryAt !== undefined, 'the interrupted run is retried')
})

test('prune runs on its own schedule, apart from the backups', async (t) => {
  const prunes: number[] = []
  const spec = job({ prune: { schedule: { cron: '15 2 * * 0', timezone: 'UTC' } } })
  const h = await harness(t, spec, async () => outcome, new MemoryState(), { prune: async () => { prunes.push(Date.now()) } })
  // 2026-11-21 is a Saturday: the first prune is Sunday 02:15.
  assert.equal(h.scheduler.list()[0]?.nextPruneAt, Date.UTC(2026, 10, 22, 2, 15))
  await h.clock.advance(26 * HOUR)
  assert.equal(prunes.length, 1)
  assert.equal(h.state.get('nightly').lastPruneAt?.getTime(), Date.UTC(2026, 10, 22, 2, 15))
  assert.equal(h.runs.length, 26)
})
