import { readFile, rename } from 'node:fs/promises'
import { join } from 'node:path'
import { replaceFileDurably } from '@resilien/types'

/** File of the jobs' run history in the data dir. */
export const JOBS_STATE_FILE = 'jobs-state.json'
/** Version of the file's layout; a file of another version is read as corrupt. */
const STATE_VERSION = 1
/** Longest result message kept: one line of `resilien jobs`. */
export const MAX_RESULT_MESSAGE = 300

export type JobResult = 'ok' | 'failed' | 'running'

/** What the node remembers of one job across restarts. */
export interface JobState {
  /** Start of the last run. */
  lastRunAt?: Date
  /** `running` while a run is under way; still `running` after a crash, which the runner counts as a failure. */
  lastResult?: JobResult
  /** One line: the error of a failed run, or a short summary. */
  lastMessage?: string
  lastDurationMs?: number
  /** Id of the snapshot the last successful run made. */
  lastSnapshot?: string
  /** Bytes the last successful run added to the repository. */
  lastSizeBytes?: number
  consecutiveFailures: number
  /** When the failed job is tried again; undefined: at its next scheduled time. */
  nextRetryAt?: Date
  /**
   * True from just before the source's `before` commands (Nextcloud: maintenance mode on) until
   * its `after` commands succeeded: a node that finds it true at start runs `after` at once.
   */
  maintenanceOn: boolean
  lastPruneAt?: Date
}

export interface JobStateStoreInit {
  dataDir: string
  /** The configured jobs: the state of any other job is dropped, so the file stays bounded. */
  jobs?: readonly string[]
  /** Where a warning line goes (default: stderr). */
  log?: (line: string) => void
}

const EMPTY: JobState = { consecutiveFailures: 0, maintenanceOn: false }

type FieldCodec = { encode: (v: unknown) => unknown, decode: (v: unknown) => unknown }
const isCount = (v: unknown): boolean => Number.isSafeInteger(v) && (v as number) >= 0
const date: FieldCodec = {
  encode: (v) => (v as Date).toISOString(),
  decode: (v) => {
    const d = typeof v === 'string' ? new Date(v) : undefined
    return d !== undefined && Number.isFinite(d.getTime()) ? d : undefined
  }
}
const count: FieldCodec = { encode: (v) => v, decode: (v) => isCount(v) ? v : undefined }
const text: FieldCodec = { encode: (v) => v, decode: (v) => typeof v === 'string' ? v : undefined }
const CODECS: Record<keyof JobState, FieldCodec> = {
  lastRunAt: date,
  lastResult: { encode: (v) => v, decode: (v) => v === 'ok' || v === 'failed' || v === 'running' ? v : undefined },
  lastMessage: text,
  lastDurationMs: count,
  lastSnapshot: text,
  lastSizeBytes: count,
  consecutiveFailures: count,
  nextRetryAt: date,
  maintenanceOn: { encode: (v) => v, decode: (v) => typeof v === 'boolean' ? v : undefined },
  lastPruneAt: date
}

/** A message as one line of bounded length. */
function oneLine (message: string): string {
  const line = message.replace(/\s*[\r\n]+\s*/g, ' ').trim()
  return line.length <= MAX_RESULT_MESSAGE ? line : line.slice(0, MAX_RESULT_MESSAGE - 1) + '…'
}

function copy (s: JobState): JobState {
  const c: JobState = { ...s }
  for (const key of ['lastRunAt', 'nextRetryAt', 'lastPruneAt'] as const) {
    const d = s[key]
    if (d !== undefined) c[key] = new Date(d)
  }
  return c
}

/**
 * The jobs' state in DIR/jobs-state.json (mode 0600). Every update is written before it returns
 * (temporary file, fsync, rename, fsync of the folder), so a crash leaves the old or the new file,
 * never half of one; writes are serialized. A corrupt file is set aside (jobs-state.json.corrupt)
 * with one warning and the jobs start without history: that costs at most a run, never the node.
 */
export class JobStateStore {
  private readonly jobs = new Map<string, JobState>()
  private writing: Promise<void> = Promise.resolve()

  private constructor (private readonly path: string, private readonly log: (line: string) => void) {}

  static async open (init: JobStateStoreInit): Promise<JobStateStore> {
    const store = new JobStateStore(join(init.dataDir, JOBS_STATE_FILE), init.log ?? ((line) => process.stderr.write(line + '\n')))
    await store.load()
    if (init.jobs !== undefined) store.dropOthers(init.jobs)
    return store
  }

  /** The state of a job (a copy); a job without history gets the empty state. */
  get (name: string): JobState {
    return copy(this.jobs.get(name) ?? EMPTY)
  }

  /** Names of the jobs with a state. */
  names (): string[] {
    return [...this.jobs.keys()]
  }

  /**
   * Changes some fields of a job's state and writes the file; a field set to undefined is cleared.
   * Returns the new state.
   */
  async update (name: string, patch: Partial<JobState>): Promise<JobState> {
    const next: JobState = { ...this.get(name), ...patch }
    next.consecutiveFailures ??= 0
    next.maintenanceOn ??= false
    if (next.lastMessage !== undefined) next.lastMessage = oneLine(next.lastMessage)
    this.jobs.set(name, next)
    await this.save()
    return copy(next)
  }

  /** Keeps the state of these jobs only (after jobs.toml changed) and writes the file. */
  async retain (names: readonly string[]): Promise<void> {
    if (this.dropOthers(names)) await this.save()
  }

  private dropOthers (names: readonly string[]): boolean {
    const keep = new Set(names)
    let dropped = false
    for (const [name, state] of this.jobs) {
      if (keep.has(name)) continue
      if (state.maintenanceOn) {
        this.log(`warning: job "${name}" left jobs.toml while its source was still in maintenance mode: turn it off by hand (e.g. occ maintenance:mode --off)`)
      }
      this.jobs.delete(name)
      dropped = true
    }
    return dropped
  }

  private async load (): Promise<void> {
    let raw: string
    try {
      raw = await readFile(this.path, 'utf8')
    } catch (err) {
      // No file: a first start, nothing to say.
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return
      this.log(`warning: cannot read ${JOBS_STATE_FILE} (${(err as Error).message}): the jobs start without history`)
      return
    }
    let doc: unknown
    try {
      doc = JSON.parse(raw)
    } catch (err) {
      return this.setAside(`it is not JSON: ${(err as Error).message}`)
    }
    const jobs = (doc as { jobs?: unknown } | null)?.jobs
    if ((doc as { version?: unknown } | null)?.version !== STATE_VERSION || typeof jobs !== 'object' || jobs === null || Array.isArray(jobs)) {
      return this.setAside(`it is not a version ${STATE_VERSION} state file`)
    }
    const ignored: string[] = []
    for (const [name, entry] of Object.entries(jobs as Record<string, unknown>)) {
      if (typeof entry !== 'object' || entry === null) {
        ignored.push(name)
        continue
      }
      const state: JobState = { ...EMPTY }
      for (const [key, value] of Object.entries(entry as Record<string, unknown>)) {
        const codec = Object.hasOwn(CODECS, key) ? CODECS[key as keyof JobState] : undefined
        const decoded = codec?.decode(value)
        if (decoded === undefined) ignored.push(`${name}.${key}`)
        else (state as unknown as Record<string, unknown>)[key] = decoded
      }
      this.jobs.set(name, state)
    }
    if (ignored.length > 0) this.log(`warning: ${JOBS_STATE_FILE}: ignored what is not valid: ${ignored.join(', ')}`)
  }

  private async setAside (why: string): Promise<void> {
    const aside = this.path + '.corrupt'
    const kept = await rename(this.path, aside).then(() => true, () => false)
    this.log(`warning: ${JOBS_STATE_FILE} is corrupt (${why}): the jobs start without history${kept ? `; the file was kept as ${JOBS_STATE_FILE}.corrupt` : ''}`)
  }

  private async save (): Promise<void> {
    const write = this.writing.then(async () => this.write())
    this.writing = write.catch(() => {})
    return write
  }

  private async write (): Promise<void> {
    const jobs: Record<string, Record<string, unknown>> = {}
    for (const [name, state] of this.jobs) {
      const entry: Record<string, unknown> = {}
      for (const [key, value] of Object.entries(state)) {
        if (value !== undefined) entry[key] = CODECS[key as keyof JobState].encode(value)
      }
      jobs[name] = entry
    }
    await replaceFileDurably(this.path, JSON.stringify({ version: STATE_VERSION, jobs }, null, 2) + '\n')
  }
}
