import { join } from 'node:path'
import { mustRun, timedRun } from '../process/timed-run.js'
import type { TimedRun } from '../process/timed-run.js'

/** restic's passphrase in the bench (its repositories are throw-away). */
const RESTIC_PASSWORD = 'bench'
/** Folders of restic's repository and cache in a bench's temp root. */
export const RESTIC_DIRS = ['restic-repo', 'restic-cache'] as const

/** The "summary" line of `restic backup --json`. */
export interface ResticSummary {
  files_new: number
  files_changed: number
  files_unmodified: number
  data_added: number
  total_bytes_processed: number
  total_duration: number
}

/** restic's version line, or undefined when it is not installed. */
export async function resticVersion (): Promise<string | undefined> {
  try {
    const r = await timedRun('restic', ['version'])
    return r.code === 0 ? r.stdout.trim() : undefined
  } catch {
    return undefined
  }
}

/** A restic repository in a local folder, with its cache beside it (not in ~/.cache). */
export class ResticRepo {
  constructor (readonly repoDir: string, private readonly cacheDir: string) {}

  private async run (args: readonly string[]): Promise<TimedRun> {
    return mustRun('restic', ['--repo', this.repoDir, '--cache-dir', this.cacheDir, ...args], {
      env: { RESTIC_PASSWORD }
    })
  }

  async init (): Promise<TimedRun> {
    return this.run(['init'])
  }

  /** Default compression ("auto"), as a user gets it. */
  async backup (paths: readonly string[]): Promise<{ run: TimedRun, summary: ResticSummary | undefined }> {
    const run = await this.run(['backup', '--json', ...paths])
    let summary: ResticSummary | undefined
    for (const line of run.stdout.split('\n')) {
      if (!line.includes('"summary"')) continue
      summary = JSON.parse(line) as ResticSummary
    }
    return { run, summary }
  }

  async restore (target: string): Promise<TimedRun> {
    return this.run(['restore', 'latest', '--target', target])
  }
}

/**
 * A new restic repository in `root` (the bench's temp folder, same disk as the other tools), or
 * undefined when not `wanted` or not installed (then a warning says so).
 */
export async function setUpRestic (root: string, wanted: boolean, warnings: string[]): Promise<{ version: string, repo: ResticRepo } | undefined> {
  if (!wanted) return undefined
  const version = await resticVersion()
  if (version === undefined) {
    warnings.push('restic is not installed: no comparison (apt-get install restic)')
    return undefined
  }
  const repo = new ResticRepo(join(root, RESTIC_DIRS[0]), join(root, RESTIC_DIRS[1]))
  await repo.init()
  return { version, repo }
}
