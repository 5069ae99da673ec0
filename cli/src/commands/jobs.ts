import { Command } from 'commander'
import { formatBytes } from '@resilien/control'
import type { JobView } from '@resilien/control'
import { connect, interruptSignal } from '../context.js'
import type { GlobalOptions } from '../context.js'
import { ExitCode, ExitWith } from '../errors.js'
import { printJson } from '../output.js'

/** A time as "2026-11-21 03:00" in the local zone (what an operator reads in the logs). */
function when (ms: number | undefined): string {
  if (ms === undefined) return '-'
  const d = new Date(ms)
  const two = (n: number): string => String(n).padStart(2, '0')
  return `${d.getFullYear()}-${two(d.getMonth() + 1)}-${two(d.getDate())} ${two(d.getHours())}:${two(d.getMinutes())}`
}

function result (job: JobView): string {
  if (job.running) return 'running'
  if (job.lastResult === undefined) return 'never ran'
  const duration = job.lastDurationMs === undefined ? '' : ` in ${(job.lastDurationMs / 1000).toFixed(0)} s`
  if (job.lastResult === 'ok') return `ok${duration}, ${formatBytes(job.lastAddedBytes ?? 0)} added`
  return `failed${duration} (${job.consecutiveFailures} in a row)`
}

function listJobs (): Command {
  return new Command('list')
    .description('list the jobs with their last run, result, duration, size and next run (the default)')
    .action(async (_opts: unknown, cmd: Command) => {
      const g = cmd.optsWithGlobals<GlobalOptions>()
      const r = await connect(g).call('jobs', {})
      if (g.json === true) printJson(r)
      if (r.problem !== undefined) throw new ExitWith(ExitCode.failure, r.problem)
      if (g.json === true) return
      if (r.jobs.length === 0) {
        console.log('no jobs: write them in jobs.toml in the data dir, then restart the node')
        return
      }
      console.log(`${'job'.padEnd(16)} ${'repo'.padEnd(12)} ${'source'.padEnd(10)} ${'last run'.padEnd(17)} ${'result'.padEnd(34)} next run`)
      for (const job of r.jobs) {
        const next = job.nextRetryAt !== undefined && job.nextRetryAt < job.nextRunAt ? `${when(job.nextRetryAt)} (retry)` : when(job.nextRunAt)
        console.log(`${job.name.padEnd(16)} ${job.repo.padEnd(12)} ${job.source.padEnd(10)} ${when(job.lastRunAt).padEnd(17)} ${result(job).padEnd(34)} ${next}`)
        if (job.lastResult === 'failed' && job.lastMessage !== undefined) console.log(`  ${job.lastMessage}`)
      }
    })
}

function runJob (): Command {
  return new Command('run')
    .description('run one job now and wait for it')
    .argument('<name>', 'job name (see resilien jobs)')
    .action(async (name: string, _opts: unknown, cmd: Command) => {
      const g = cmd.optsWithGlobals<GlobalOptions>()
      const r = await connect(g).call('jobs-run', { name }, { signal: interruptSignal() })
      if (g.json === true) printJson(r)
      else console.log(`job ${name}: snapshot ${r.snapshot.slice(0, 8)} saved: ${r.files} files, ${formatBytes(r.totalBytes)}, ${formatBytes(r.addedBytes)} added${r.forgotten > 0 ? `, ${r.forgotten} old snapshots forgotten` : ''}`)
      if (r.warnings > 0) throw new ExitWith(ExitCode.partial, `${r.warnings} files could not be read; see the node's log`)
    })
}

export function jobsCommand (): Command {
  const jobs = new Command('jobs')
    .description('the backup jobs of this site (jobs.toml in the data dir)')
  jobs.addCommand(listJobs(), { isDefault: true })
  jobs.addCommand(runJob())
  return jobs
}
