import { lstat } from 'node:fs/promises'
import type { JobRunResult } from '@resilien/control'
import type { StdinSource } from '@resilien/repository'
import { NotFoundError } from '@resilien/types'
import type { NodeContext } from '../node-context.js'
import { commandStream } from '../command-stream.js'
import { backupOnSite } from '../handlers/backup.js'
import { forgetIn } from '../handlers/forget.js'
import { pruneOpen } from '../handlers/prune.js'
import type { JobSpec } from '../jobs/job-spec.js'
import { credentialsEnv, readSecretFile } from './secret-files.js'
import { runShell } from './shell.js'

/** What one good run did (the control API's JobRunResult); the scheduler keeps it in the job's state. */
export type JobRunOutcome = JobRunResult

export interface JobRunDeps {
  ctx: NodeContext
  /**
   * Records, durably, that the job's `before` commands (maintenance mode on) ran and their
   * `after` commands have not yet: a node that dies in between undoes them at its next start.
   */
  setMaintenance: (on: boolean) => Promise<void>
  log: (line: string) => void
}

/** The `after` commands (maintenance mode off) get this long each even when the run timed out. */
export const UNDO_TIMEOUT_MS = 10 * 60 * 1000

async function present (path: string): Promise<boolean> {
  return await lstat(path).then(() => true, () => false)
}

/**
 * Runs `after` commands (maintenance mode off): all of them, whatever happened before, each
 * with its own time limit (not the run's, which may be what ran out). Clears the maintenance
 * mark only when all succeeded; otherwise the next start tries again.
 */
export async function undoBefore (spec: JobSpec, deps: Pick<JobRunDeps, 'setMaintenance' | 'log'>): Promise<void> {
  const failures: string[] = []
  for (const command of spec.plan.after) {
    await runShell(command, { timeoutMs: UNDO_TIMEOUT_MS }).catch((err: Error) => { failures.push(err.message) })
  }
  if (failures.length > 0) {
    deps.log(`resilien: job ${spec.name}: undoing its start failed, retried at the next start: ${failures.join('; ')}`)
    throw new Error(`job ${spec.name}: ${failures[0] ?? ''}`)
  }
  await deps.setMaintenance(false)
}

/**
 * One run of a job: hooks, `before` (maintenance mode on), the dumps and paths into one snapshot,
 * `after` (maintenance mode off, always once `before` started), then retention. The run's time
 * limit aborts whatever is under way; an aborted backup commits nothing.
 */
export async function runJob (spec: JobSpec, deps: JobRunDeps, signal: AbortSignal): Promise<JobRunOutcome> {
  const run = AbortSignal.any([signal, AbortSignal.timeout(spec.timeoutMs)])
  const shell = { timeoutMs: spec.timeoutMs, signal: run }
  try {
    const password = await readSecretFile(spec.passwordFile, 'password file')
    for (const path of spec.plan.paths) {
      if (!await present(path)) throw new NotFoundError('path', path, `${path} does not exist`)
    }
    for (const hook of spec.hooks.before) await runShell(hook, shell)
    const outcome = await capture(spec, deps, password, run)
    for (const hook of spec.hooks.after) await runShell(hook, shell).catch((err: Error) => deps.log(`resilien: job ${spec.name}: after hook: ${err.message}`))
    return outcome
  } catch (err) {
    for (const hook of spec.hooks.onFailure) {
      await runShell(hook, { timeoutMs: spec.timeoutMs, env: { RESILIEN_JOB: spec.name, RESILIEN_ERROR: (err as Error).message } })
        .catch((e: Error) => deps.log(`resilien: job ${spec.name}: on-failure hook: ${e.message}`))
    }
    if (run.aborted && !signal.aborted) throw new Error(`timed out after ${Math.round(spec.timeoutMs / 1000)} s; nothing was committed`)
    throw err
  }
}

async function capture (spec: JobSpec, deps: JobRunDeps, password: string, signal: AbortSignal): Promise<JobRunOutcome> {
  const { plan } = spec
  const cleanups: Array<() => Promise<void>> = []
  let started = false
  try {
    if (plan.before.length > 0) {
      // Marked before the first command: a crash right after it must still be undone.
      await deps.setMaintenance(true)
      started = true
      for (const command of plan.before) await runShell(command, { timeoutMs: spec.timeoutMs, signal })
    }
    const streams: StdinSource[] = []
    for (const dump of plan.dumps) {
      const credentials = dump.credentials === undefined ? undefined : await credentialsEnv(dump.credentials)
      if (credentials !== undefined) cleanups.push(credentials.cleanup)
      streams.push(commandStream(dump.command, dump.filename, { signal, ...(credentials === undefined ? {} : { env: credentials.env }) }))
    }
    const optional = []
    for (const path of plan.optionalPaths) if (await present(path)) optional.push(path)
    const repo = await deps.ctx.openRepo(spec.repo, password, { signal })
    try {
      const result = await backupOnSite(deps.ctx, repo, {
        paths: [...plan.paths, ...optional],
        streams,
        exclude: plan.exclude,
        ...(plan.oneFileSystem === true ? { oneFileSystem: true } : {}),
        ...(plan.excludeMarkers === undefined ? {} : { excludeMarkers: plan.excludeMarkers }),
        ...(plan.excludeLargerThan === undefined ? {} : { excludeLargerThan: plan.excludeLargerThan }),
        tags: spec.tags,
        signal,
        ...(spec.host === undefined ? {} : { host: spec.host })
      })
      if (started) {
        started = false
        await undoBefore(spec, deps)
      }
      const forgotten = spec.retention === undefined ? 0 : (await forgetIn(deps.ctx, repo, spec.retention, false)).remove.length
      return {
        snapshot: result.snapshot,
        addedBytes: result.stats.newBytes,
        totalBytes: result.stats.totalBytes,
        files: result.stats.files,
        forgotten,
        warnings: result.warnings.length
      }
    } finally {
      await repo.close()
    }
  } finally {
    for (const cleanup of cleanups) await cleanup().catch(() => {})
    if (started) await undoBefore(spec, deps).catch(() => {})
  }
}

/** A job's prune, on its own schedule: alone on the repository while it runs. */
export async function pruneJob (spec: JobSpec, deps: Pick<JobRunDeps, 'ctx'>, signal: AbortSignal): Promise<void> {
  const password = await readSecretFile(spec.passwordFile, 'password file')
  const repo = await deps.ctx.openRepo(spec.repo, password, { signal })
  try {
    await pruneOpen(deps.ctx, repo, { signal, ...(spec.prune?.repackThreshold === undefined ? {} : { repackThreshold: spec.prune.repackThreshold }) })
  } finally {
    await repo.close()
  }
}
