import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { parse, TomlError } from 'smol-toml'
import { InvalidInputError } from '@resilien/types'
import { ConfigTable } from './config-reader.js'
import type { Fail, StringRule } from './config-reader.js'
import { readSource } from './job-sources.js'
import {
  DEFAULT_JOB_TIMEOUT_MS, DEFAULT_RETRY_ATTEMPTS, DEFAULT_RETRY_BACKOFF_MS, DEFAULT_RETRY_MAX_MS
} from './job-spec.js'
import type { JobHooks, JobSpec, PruneSpec, RetentionSpec, RetryPolicy } from './job-spec.js'
import { checkSchedule, isTimeZone } from './schedule.js'
import type { ScheduleSpec } from './schedule.js'

/** File of the backup jobs in the site's data dir; format in README.md next to this file. */
export const JOBS_FILE = 'jobs.toml'

/** Most retries a job may ask for: beyond that, the next scheduled run is the better retry. */
const MAX_RETRY_ATTEMPTS = 100

/** jobs.toml is wrong: one line naming the file, the job and the key (also as fields, for tests and tools). */
export class JobConfigError extends InvalidInputError {
  readonly file: string
  /** `"name"` of the job, or `#n` (1-based) when its name is unusable; undefined outside jobs. */
  readonly job: string | undefined
  /** Full key path such as source.database.kind; undefined for TOML syntax errors. */
  readonly key: string | undefined
  /** Line of a TOML syntax error (1-based). */
  readonly line: number | undefined

  constructor (message: string, fields: { file: string, job?: string, key?: string, line?: number }) {
    super(message)
    this.name = 'JobConfigError'
    this.file = fields.file
    this.job = fields.job
    this.key = fields.key
    this.line = fields.line
  }
}

const JOB_NAME: StringRule = { test: (v) => /^[a-z0-9][a-z0-9_-]{0,63}$/.test(v), describe: '1-64 of a-z, 0-9, "-" and "_", starting with a letter or digit' }
/** The repository package's rule for repository names. */
const REPO_NAME: StringRule = { test: (v) => /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/.test(v), describe: 'a repository name (1-64 letters, digits, ".", "_" or "-")' }
const TAG: StringRule = { test: (v) => /^[^\s,]{1,64}$/.test(v), describe: 'a tag (1-64 characters, no spaces or commas)' }
const HOST: StringRule = { test: (v) => /^[A-Za-z0-9][A-Za-z0-9._-]{0,252}$/.test(v), describe: 'a host name' }
const CRON: StringRule = { test: (v) => v.trim() !== '', describe: 'a cron expression such as "30 2 * * *"' }
const TIME_ZONE: StringRule = { test: isTimeZone, describe: 'an IANA time zone such as "Europe/Berlin" or "UTC"' }

const DEFAULT_RETRY: RetryPolicy = { attempts: DEFAULT_RETRY_ATTEMPTS, backoffMs: DEFAULT_RETRY_BACKOFF_MS, maxMs: DEFAULT_RETRY_MAX_MS }

/** What [defaults] gives every job that does not set it. */
interface JobDefaults {
  passwordFile?: string
  timeoutMs?: number
  timezone?: string
  host?: string
  retry: RetryPolicy
  /** A job's own retention table replaces it; `retention = false` in a job turns it off. */
  retention?: RetentionSpec
}

/** The retry policy of `t` over `base`; a max below the backoff names t's `max` key. */
function readRetry (t: ConfigTable | undefined, base: RetryPolicy): RetryPolicy {
  if (t === undefined) return { ...base }
  const attempts = t.integer('attempts', 0, MAX_RETRY_ATTEMPTS) ?? base.attempts
  const backoffMs = t.duration('backoff') ?? base.backoffMs
  const maxMs = t.duration('max') ?? base.maxMs
  t.finish()
  if (maxMs < backoffMs) t.fail(t.key('max'), `must be at least the backoff (${backoffMs / 1000} s), not ${maxMs / 1000} s`)
  return { attempts, backoffMs, maxMs }
}

const KEEP_COUNTS = ['keepLast', 'keepHourly', 'keepDaily', 'keepWeekly', 'keepMonthly', 'keepYearly'] as const

function readRetention (t: ConfigTable): RetentionSpec {
  const spec: RetentionSpec = {}
  for (const key of KEEP_COUNTS) {
    const n = t.integer(key, 0, 1_000_000)
    if (n !== undefined) spec[key] = n
  }
  const within = t.duration('keepWithin')
  if (within !== undefined) spec.keepWithin = within
  const tags = t.stringList('keepTags', TAG)
  if (tags !== undefined) spec.keepTags = tags
  t.finish()
  const keepsSomething = KEEP_COUNTS.some((k) => (spec[k] ?? 0) > 0) || spec.keepWithin !== undefined || (spec.keepTags ?? []).length > 0
  // A policy that keeps nothing would forget every snapshot: never what a typo meant.
  if (!keepsSomething) t.fail(t.key('keepLast'), `or another rule must keep something: give one of ${[...KEEP_COUNTS, 'keepWithin', 'keepTags'].join(', ')}`)
  return spec
}

function readDefaults (t: ConfigTable | undefined): JobDefaults {
  if (t === undefined) return { retry: DEFAULT_RETRY }
  const passwordFile = t.absolutePath('passwordFile')
  const timeoutMs = t.duration('timeout')
  const timezone = t.string('timezone', TIME_ZONE)
  const host = t.string('host', HOST)
  const retry = readRetry(t.table('retry'), DEFAULT_RETRY)
  const retentionTable = t.table('retention')
  const retention = retentionTable === undefined ? undefined : readRetention(retentionTable)
  t.finish()
  return {
    retry,
    ...(passwordFile === undefined ? {} : { passwordFile }),
    ...(timeoutMs === undefined ? {} : { timeoutMs }),
    ...(timezone === undefined ? {} : { timezone }),
    ...(host === undefined ? {} : { host }),
    ...(retention === undefined ? {} : { retention })
  }
}

function readSchedule (t: ConfigTable, name: string, timezone: string | undefined): ScheduleSpec {
  const cron = t.requiredString(name, CRON)
  const spec: ScheduleSpec = { cron, ...(timezone === undefined ? {} : { timezone }) }
  try {
    checkSchedule(spec)
  } catch (err) {
    t.fail(t.key(name), `is not valid: ${(err as Error).message}`)
  }
  return spec
}

function readPrune (t: ConfigTable | undefined, timezone: string | undefined): PruneSpec | undefined {
  if (t === undefined) return undefined
  const schedule = readSchedule(t, 'schedule', timezone)
  const percent = t.number('repackThreshold', 0, 100)
  t.finish()
  return { schedule, ...(percent === undefined ? {} : { repackThreshold: percent / 100 }) }
}

function readHooks (t: ConfigTable | undefined): JobHooks {
  if (t === undefined) return { before: [], after: [], onFailure: [] }
  const hooks = { before: t.commands('before') ?? [], after: t.commands('after') ?? [], onFailure: t.commands('onFailure') ?? [] }
  t.finish()
  return hooks
}

/** The job's own retention table, `false` for none, else a copy of the default one. */
function jobRetention (t: ConfigTable, defaults: JobDefaults): RetentionSpec | undefined {
  if (t.value('retention') === false) return undefined
  const table = t.table('retention')
  return table === undefined ? structuredClone(defaults.retention) : readRetention(table)
}

function readJob (t: ConfigTable, defaults: JobDefaults, name: string): JobSpec {
  const repo = t.requiredString('repo', REPO_NAME)
  const timezone = t.string('timezone', TIME_ZONE) ?? defaults.timezone
  const schedule = readSchedule(t, 'schedule', timezone)
  const passwordFile = t.absolutePath('passwordFile') ?? defaults.passwordFile ??
    t.missing('passwordFile', 'the absolute path of a file holding the repository passphrase, in the job or in [defaults]')
  const tags = t.stringList('tags', TAG) ?? []
  const host = t.string('host', HOST) ?? defaults.host
  const timeoutMs = t.duration('timeout') ?? defaults.timeoutMs ?? DEFAULT_JOB_TIMEOUT_MS
  const retry = readRetry(t.table('retry'), defaults.retry)
  const retention = jobRetention(t, defaults)
  const prune = readPrune(t.table('prune'), timezone)
  const hooks = readHooks(t.table('hooks'))
  const { kind, plan } = readSource(t.requiredTable('source', 'a [job.source] table with a kind (paths, command, nextcloud or hedgedoc)'))
  t.finish()
  return {
    name,
    repo,
    schedule,
    passwordFile,
    tags,
    ...(host === undefined ? {} : { host }),
    timeoutMs,
    retry,
    ...(retention === undefined ? {} : { retention }),
    ...(prune === undefined ? {} : { prune }),
    hooks,
    source: kind,
    plan
  }
}

function failer (file: string, where: { job?: string }): Fail {
  return (key, problem) => {
    const context = where.job === undefined ? '' : `job ${where.job}: `
    throw new JobConfigError(`${file}: ${context}${key} ${problem}`, { file, key, ...(where.job === undefined ? {} : { job: where.job }) })
  }
}

function parseToml (text: string, file: string): Record<string, unknown> {
  try {
    return parse(text, { unsafeKeyBehaviour: 'throw' })
  } catch (err) {
    if (!(err instanceof TomlError)) throw new JobConfigError(`${file}: ${(err as Error).message}`, { file })
    const what = (err.message.split('\n')[0] ?? '').replace(/^Invalid TOML document: /, '')
    const source = (text.split(/\r?\n/)[err.line - 1] ?? '').trim()
    throw new JobConfigError(`${file}:${err.line}:${err.column}: ${what}${source === '' ? '' : ` (in: ${source})`}`, { file, line: err.line })
  }
}

/**
 * Reads the text of jobs.toml into jobs with every default resolved and every source turned into
 * its capture plan. The first problem throws a JobConfigError naming the file, the job and the key.
 * Files named in the config (password files, paths) are not looked at: they are checked when a job runs.
 */
export function parseJobs (text: string, file = JOBS_FILE): JobSpec[] {
  const top = new ConfigTable(parseToml(text, file), '', failer(file, {}))
  const defaults = readDefaults(top.table('defaults'))
  const rawJobs = top.value('job') ?? []
  if (!Array.isArray(rawJobs)) return top.fail('job', 'must be a list of tables: write each job under its own [[job]] line')
  top.finish()
  const seen = new Map<string, number>()
  return rawJobs.map((raw: unknown, i) => {
    const where: { job?: string } = { job: `#${i + 1}` }
    const fail = failer(file, where)
    const t = ConfigTable.of(raw, 'job', '', fail)
    const name = t.requiredString('name', JOB_NAME)
    const first = seen.get(name)
    if (first !== undefined) fail('name', `"${name}" is taken by job #${first} already: job names are unique`)
    seen.set(name, i + 1)
    where.job = `"${name}"`
    return readJob(t, defaults, name)
  })
}

/** Reads DIR/jobs.toml; a site without the file has no jobs. */
export async function loadJobs (dataDir: string): Promise<JobSpec[]> {
  let text: string
  try {
    text = await readFile(join(dataDir, JOBS_FILE), 'utf8')
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return []
    throw err
  }
  return parseJobs(text)
}
