import { formatBytes } from '@resilien/control'
import { InvalidInputError, NotFoundError, ResilienError } from '@resilien/types'
import { retryDelay } from '../jobs/backoff.js'
import type { JobSpec } from '../jobs/job-spec.js'
import type { JobState, JobStateStore } from '../jobs/job-state.js'
import { missedRun, nextRun } from '../jobs/schedule.js'
import type { Clock } from './clock.js'
import type { JobRunOutcome } from './job-run.js'

/** The loop looks again at least this often (a clock set forward, a fake clock in tests). */
const MAX_SLEEP_MS = 60_000

/** Where the scheduler keeps what it must remember of each job across restarts. */
export type JobStates = Pick<JobStateStore, 'get' | 'update'>

export interface JobSchedulerInit {
  jobs: readonly JobSpec[]
  state: JobStates
  clock: Clock
  log: (line: string) => void
  run: (spec: JobSpec, signal: AbortSignal) => Promise<JobRunOutcome>
  prune: (spec: JobSpec, signal: AbortSignal) => Promise<void>
  /** Turns maintenance mode off for a job whose run a crash interrupted. */
  undo: (spec: JobSpec) => Promise<void>
  random?: () => number
}

/** A job as `resilien jobs` lists it. */
export interface JobStatus extends JobState {
  name: string
  repo: string
  source: string
  schedule: string
  running: boolean
  nextRunAt: number
  nextPruneAt?: number
}

/**
 * Runs each job on its schedule, one run of a job at a time: a run still going when the next time
 * comes is not overlapped, the times it covered are skipped. A time missed while the node was
 * down is run once at start. A failed run is retried with backoff (`retry.attempts` times), then
 * the job waits for its next time. Prune runs on the job's own prune schedule.
 */
export class JobScheduler {
  private readonly byName = new Map<string, JobSpec>()
  private readonly nextAt = new Map<string, number>()
  private readonly nextPruneAt = new Map<string, number>()
  private readonly running = new Map<string, Promise<JobRunOutcome>>()
  private readonly pruning = new Map<string, Promise<void>>()
  private readonly controller = new AbortController()
  private wakeUp = new AbortController()
  private loop: Promise<void> | undefined

  constructor (private readonly init: JobSchedulerInit) {
    for (const spec of init.jobs) this.byName.set(spec.name, spec)
  }

  /** Undoes what a crash left (maintenance mode on), works out each job's next time, starts the loop. */
  async start (): Promise<void> {
    const now = this.init.clock.now()
    for (const spec of this.init.jobs) {
      const record = this.init.state.get(spec.name)
      if (record.maintenanceOn) {
        this.init.log(`resilien: job ${spec.name}: the node stopped during its last run; undoing its start (maintenance mode off)`)
        await this.init.undo(spec).catch((err: Error) => this.init.log(`resilien: job ${spec.name}: ${err.message}`))
      }
      if (record.lastResult === 'running') await this.recordFailure(spec, 'interrupted: the node stopped during the run', now)
      const missed = missedRun(spec.schedule, record.lastRunAt, new Date(now))
      if (missed) this.init.log(`resilien: job ${spec.name}: a scheduled run was missed while the node was down; it runs now`)
      this.nextAt.set(spec.name, missed ? now : this.upcoming(spec, now))
      if (spec.prune !== undefined) {
        const pruneMissed = missedRun(spec.prune.schedule, record.lastPruneAt, new Date(now))
        this.nextPruneAt.set(spec.name, pruneMissed ? now : nextRun(spec.prune.schedule, new Date(now)).getTime())
      }
    }
    this.loop = this.schedule()
  }

  async stop (): Promise<void> {
    this.controller.abort()
    this.wakeUp.abort()
    await this.loop
    await Promise.allSettled([...this.running.values(), ...this.pruning.values()])
  }

  list (): JobStatus[] {
    return this.init.jobs.map((spec) => {
      const pruneAt = this.nextPruneAt.get(spec.name)
      return {
        ...this.init.state.get(spec.name),
        name: spec.name,
        repo: spec.repo,
        source: spec.source,
        schedule: spec.schedule.cron + (spec.schedule.timezone === undefined ? '' : ` (${spec.schedule.timezone})`),
        running: this.running.has(spec.name),
        nextRunAt: this.nextAt.get(spec.name) ?? this.upcoming(spec, this.init.clock.now()),
        ...(pruneAt === undefined ? {} : { nextPruneAt: pruneAt })
      }
    })
  }

  /** Runs a job now (`resilien jobs run NAME`) and answers its outcome; refused while it runs. */
  async runNow (name: string): Promise<JobRunOutcome> {
    const spec = this.byName.get(name)
    if (spec === undefined) throw new NotFoundError('job', name, `no job named "${name}" (see resilien jobs)`)
    if (this.running.has(name)) throw new InvalidInputError(`job ${name} is running already`)
    return await this.launch(spec)
  }

  private upcoming (spec: JobSpec, now: number): number {
    const scheduled = nextRun(spec.schedule, new Date(now)).getTime()
    const retryAt = this.init.state.get(spec.name).nextRetryAt
    return retryAt === undefined ? scheduled : Math.min(scheduled, Math.max(now, retryAt.getTime()))
  }

  private async schedule (): Promise<void> {
    const signal = this.controller.signal
    while (!signal.aborted) {
      const now = this.init.clock.now()
      let earliest = now + MAX_SLEEP_MS
      for (const spec of this.init.jobs) {
        const at = this.nextAt.get(spec.name) ?? Infinity
        if (!this.running.has(spec.name)) {
          if (at <= now) this.launch(spec).catch(() => {})
          else earliest = Math.min(earliest, at)
        }
        const pruneAt = this.nextPruneAt.get(spec.name)
        if (pruneAt !== undefined && !this.pruning.has(spec.name)) {
          if (pruneAt <= now) this.launchPrune(spec)
          else earliest = Math.min(earliest, pruneAt)
        }
      }
      this.wakeUp = new AbortController()
      await this.init.clock.sleep(Math.max(0, earliest - now), AbortSignal.any([signal, this.wakeUp.signal]))
    }
  }

  private async launch (spec: JobSpec): Promise<JobRunOutcome> {
    const startedAt = this.init.clock.now()
    const run = (async () => {
      await this.init.state.update(spec.name, { lastRunAt: new Date(startedAt), lastResult: 'running' })
      try {
        const outcome = await this.init.run(spec, this.controller.signal)
        const seconds = (this.init.clock.now() - startedAt) / 1000
        const message = `snapshot ${outcome.snapshot.slice(0, 8)}: ${outcome.files} files, ${formatBytes(outcome.totalBytes)}, ${formatBytes(outcome.addedBytes)} added` +
          `${outcome.forgotten > 0 ? `, ${outcome.forgotten} old snapshots forgotten` : ''}${outcome.warnings > 0 ? `, ${outcome.warnings} warnings` : ''}`
        await this.init.state.update(spec.name, {
          lastResult: 'ok',
          lastMessage: message,
          lastDurationMs: this.init.clock.now() - startedAt,
          lastSnapshot: outcome.snapshot,
          lastSizeBytes: outcome.addedBytes,
          consecutiveFailures: 0,
          nextRetryAt: undefined
        })
        this.init.log(`resilien: job ${spec.name}: ok in ${seconds.toFixed(1)} s, ${message}`)
        return outcome
      } catch (err) {
        const message = this.controller.signal.aborted ? 'interrupted: the node stopped during the run' : (err instanceof Error ? err.message : String(err))
        await this.recordFailure(spec, message, startedAt)
        throw err instanceof ResilienError ? err : new ResilienError(message)
      } finally {
        this.running.delete(spec.name)
        this.nextAt.set(spec.name, this.upcoming(spec, this.init.clock.now()))
        this.wakeUp.abort()
      }
    })()
    this.running.set(spec.name, run)
    return await run
  }

  private async recordFailure (spec: JobSpec, message: string, startedAt: number): Promise<void> {
    const now = this.init.clock.now()
    const failures = this.init.state.get(spec.name).consecutiveFailures + 1
    const retryAt = failures <= spec.retry.attempts ? now + retryDelay(failures, spec.retry, this.init.random) : undefined
    await this.init.state.update(spec.name, {
      lastResult: 'failed',
      lastMessage: message,
      lastDurationMs: now - startedAt,
      consecutiveFailures: failures,
      nextRetryAt: retryAt === undefined ? undefined : new Date(retryAt)
    })
    const then = retryAt === undefined ? 'waits for its next scheduled time' : `retried in ${Math.round((retryAt - now) / 1000)} s`
    this.init.log(`resilien: job ${spec.name}: failed after ${((now - startedAt) / 1000).toFixed(1)} s (${failures} in a row), ${then}: ${message}`)
  }

  private launchPrune (spec: JobSpec): void {
    const prune = spec.prune
    if (prune === undefined) return
    const startedAt = this.init.clock.now()
    const run = this.init.prune(spec, this.controller.signal).then(async () => {
      await this.init.state.update(spec.name, { lastPruneAt: new Date(startedAt) })
      this.init.log(`resilien: job ${spec.name}: prune ok in ${((this.init.clock.now() - startedAt) / 1000).toFixed(1)} s`)
    }, (err: Error) => {
      this.init.log(`resilien: job ${spec.name}: prune failed, tried again at its next time: ${err.message}`)
    }).finally(() => {
      this.pruning.delete(spec.name)
      this.nextPruneAt.set(spec.name, nextRun(prune.schedule, new Date(this.init.clock.now())).getTime())
      this.wakeUp.abort()
    })
    this.pruning.set(spec.name, run)
  }
}
