import { join } from 'node:path'
import { mustRun, timedRun } from '../process/timed-run.js'
import type { TimedRun } from '../process/timed-run.js'
import { pickNumbers } from './peer-tool.js'
import type { PeerSummary, PeerTool } from './peer-tool.js'

/** restic's passphrase in the bench (its repositories are throw-away). */
const RESTIC_PASSWORD = 'bench'
/** Folders of restic's repository and cache in a bench's temp root. */
export const RESTIC_DIRS = ['restic-repo', 'restic-cache'] as const
/** The counters of restic's backup summary kept in the report. */
const SUMMARY_KEYS = ['files_new', 'files_changed', 'files_unmodified', 'data_added', 'total_bytes_processed', 'total_duration'] as const
/** Repository format versions from which restic compresses (zstd, "auto" by default). */
const COMPRESSING_REPO_VERSION = 2

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
export class ResticRepo implements PeerTool {
  readonly name = 'restic'
  readonly encryption = 'AES-256-CTR, Poly1305-AES MAC'
  onCommandStart: ((pid: number) => void) | undefined
  /** The repository format version (`restic cat config`), known after init. */
  repoVersion: number | undefined

  constructor (readonly repoDir: string, private readonly cacheDir: string, readonly version = 'restic') {}

  get compression (): string {
    if (this.repoVersion === undefined) return 'unknown'
    return this.repoVersion >= COMPRESSING_REPO_VERSION ? `auto (zstd; repository v${this.repoVersion}; restic's default)` : `none (repository v${this.repoVersion})`
  }

  private async run (args: readonly string[], options: { stdoutFile?: string } = {}): Promise<TimedRun> {
    return mustRun('restic', ['--repo', this.repoDir, '--cache-dir', this.cacheDir, ...args], {
      ...options,
      env: { RESTIC_PASSWORD },
      ...(this.onCommandStart === undefined ? {} : { onStart: this.onCommandStart })
    })
  }

  async init (): Promise<TimedRun> {
    const run = await this.run(['init'])
    try {
      this.repoVersion = (JSON.parse((await this.run(['cat', 'config'])).stdout) as { version?: number }).version
    } catch {
      this.repoVersion = undefined
    }
    return run
  }

  /** Default compression ("auto" on a v2 repository), as a user gets it. */
  async backup (paths: readonly string[]): Promise<{ run: TimedRun, summary?: PeerSummary }> {
    const run = await this.run(['backup', '--json', ...paths])
    let summary: PeerSummary | undefined
    for (const line of run.stdout.split('\n')) {
      if (!line.includes('"summary"')) continue
      summary = pickNumbers(JSON.parse(line) as ResticSummary, SUMMARY_KEYS)
    }
    return summary === undefined ? { run } : { run, summary }
  }

  async restore (target: string): Promise<TimedRun> {
    return this.run(['restore', 'latest', '--target', target])
  }

  /** `dump` of `path` (a folder: a tar archive) in the latest snapshot, into `file`. */
  async dump (path: string, file: string): Promise<TimedRun> {
    return this.run(['dump', 'latest', path], { stdoutFile: file })
  }
}

/** A new restic repository in `root`, or undefined when restic is not installed. */
export async function createResticRepo (root: string): Promise<ResticRepo | undefined> {
  const version = await resticVersion()
  if (version === undefined) return undefined
  const repo = new ResticRepo(join(root, RESTIC_DIRS[0]), join(root, RESTIC_DIRS[1]), version)
  await repo.init()
  return repo
}

/**
 * A new restic repository in `root` (the bench's temp folder, same disk as the other tools), or
 * undefined when not `wanted` or not installed (then a warning says so).
 */
export async function setUpRestic (root: string, wanted: boolean, warnings: string[]): Promise<{ version: string, repo: ResticRepo } | undefined> {
  if (!wanted) return undefined
  const repo = await createResticRepo(root)
  if (repo === undefined) {
    warnings.push('restic is not installed: no comparison (apt-get install restic)')
    return undefined
  }
  return { version: repo.version, repo }
}
