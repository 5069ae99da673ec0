import type { JobRunResult, JobView, JobsResult } from '@resilien/control'
import { NotFoundError } from '@resilien/types'
import type { NodeContext } from '../node-context.js'
import { loadJobs } from '../jobs/job-config.js'
import type { JobSpec } from '../jobs/job-spec.js'
import { JobStateStore } from '../jobs/job-state.js'
import { systemClock } from './clock.js'
import type { Clock } from './clock.js'
import { pruneJob, runJob, undoBefore } from './job-run.js'
import { JobScheduler } from './job-scheduler.js'
import type { JobStatus } from './job-scheduler.js'

function view (status: JobStatus): JobView {
  const ms = (d: Date | undefined): number | undefined => d?.getTime()
  const optional = {
    lastRunAt: ms(status.lastRunAt),
    lastResult: status.lastResult,
    lastMessage: status.lastMessage,
    lastDurationMs: status.lastDurationMs,
    lastSnapshot: status.lastSnapshot,
    lastAddedBytes: status.lastSizeBytes,
    nextRetryAt: ms(status.nextRetryAt),
    nextPruneAt: status.nextPruneAt,
    lastPruneAt: ms(status.lastPruneAt)
  }
  return {
    name: status.name,
    repo: status.repo,
    source: status.source,
    schedule: status.schedule,
    running: status.running,
    consecutiveFailures: status.consecutiveFailures,
    nextRunAt: status.nextRunAt,
    ...Object.fromEntries(Object.entries(optional).filter(([, v]) => v !== undefined))
  }
}

/**
 * The site's backup jobs: reads DIR/jobs.toml at start, keeps their history in jobs-state.json
 * and runs them on schedule. A jobs.toml with a mistake does not keep the node from serving the
 * cluster: the node logs the one line that says what is wrong, runs no job, and `resilien jobs`
 * shows the same line until the file is fixed and the node restarted.
 */
export class JobsService {
  private constructor (
    private readonly scheduler: JobScheduler | undefined,
    private readonly problem: string | undefined
  ) {}

  static async start (ctx: NodeContext, log: (line: string) => void, clock: Clock = systemClock): Promise<JobsService> {
    let jobs: JobSpec[]
    try {
      jobs = await loadJobs(ctx.layout.root)
    } catch (err) {
      const line = `no job runs: ${(err as Error).message}`
      log(`resilien: ${line}`)
      return new JobsService(undefined, line)
    }
    if (jobs.length === 0) return new JobsService(undefined, undefined)
    const state = await JobStateStore.open({ dataDir: ctx.layout.root, jobs: jobs.map((j) => j.name), log })
    const setMaintenanceOf = (spec: JobSpec) => async (on: boolean): Promise<void> => { await state.update(spec.name, { maintenanceOn: on }) }
    const scheduler = new JobScheduler({
      jobs,
      state,
      clock,
      log,
      run: async (spec, signal) => await runJob(spec, { ctx, log, setMaintenance: setMaintenanceOf(spec) }, signal),
      prune: async (spec, signal) => { await pruneJob(spec, { ctx }, signal) },
      undo: async (spec) => { await undoBefore(spec, { log, setMaintenance: setMaintenanceOf(spec) }) }
    })
    await scheduler.start()
    log(`resilien: ${jobs.length} backup jobs scheduled: ${jobs.map((j) => j.name).join(', ')}`)
    return new JobsService(scheduler, undefined)
  }

  list (): JobsResult {
    return {
      jobs: this.scheduler?.list().map(view) ?? [],
      ...(this.problem === undefined ? {} : { problem: this.problem })
    }
  }

  async runNow (name: string): Promise<JobRunResult> {
    if (this.scheduler === undefined) throw new NotFoundError('job', name, this.problem ?? `no job named "${name}": this site has no jobs.toml in its data dir`)
    return await this.scheduler.runNow(name)
  }

  async stop (): Promise<void> {
    await this.scheduler?.stop()
  }
}
