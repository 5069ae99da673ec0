import { mustRun, timedRun } from '../process/timed-run.js'
import type { TimedRun } from '../process/timed-run.js'

/** restic's passphrase in the bench (its repositories are throw-away). */
const RESTIC_PASSWORD = 'bench'

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
