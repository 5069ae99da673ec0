import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import { mustRun, timedRun } from '../process/timed-run.js'
import type { TimedRun } from '../process/timed-run.js'
import { pickNumbers } from './peer-tool.js'
import type { PeerSummary, PeerTool } from './peer-tool.js'

/** borg's passphrase in the bench (its repositories are throw-away). */
const BORG_PASSPHRASE = 'bench'
/** Encrypted, as restic always is (key in the repository), with BLAKE2b ids and MAC: what borg's docs advise where the CPU has no SHA-256 instructions. */
export const BORG_ENCRYPTION = 'repokey-blake2'
/** Folders of borg's repository and of its cache, config and security dirs in a bench's temp root. */
export const BORG_DIRS = ['borg-repo', 'borg-home'] as const
/** What `borg create` uses when not told: borg 1.2's default. */
const BORG_DEFAULT_COMPRESSION = 'lz4 (borg\'s default)'

/** The "archive.stats" of `borg create --json`. */
const STATS_KEYS = ['original_size', 'compressed_size', 'deduplicated_size', 'nfiles'] as const

/** borg's version line, or undefined when it is not installed. */
export async function borgVersion (): Promise<string | undefined> {
  try {
    const r = await timedRun('borg', ['--version'])
    return r.code === 0 ? r.stdout.trim() : undefined
  } catch {
    return undefined
  }
}

/** A borg repository in a local folder; its cache and keys in a folder beside it (not in ~). */
export class BorgRepo implements PeerTool {
  readonly name = 'borg'
  readonly compression = BORG_DEFAULT_COMPRESSION
  readonly encryption = `${BORG_ENCRYPTION} (AES-256-CTR, BLAKE2b-256 MAC)`
  onCommandStart: ((pid: number) => void) | undefined
  #archives = 0

  constructor (readonly version: string, readonly repoDir: string, private readonly homeDir: string) {}

  private async run (args: readonly string[], cwd?: string): Promise<TimedRun> {
    return mustRun('borg', args, {
      env: {
        BORG_PASSPHRASE,
        BORG_BASE_DIR: this.homeDir,
        BORG_RELOCATED_REPO_ACCESS_IS_OK: 'yes',
        BORG_UNKNOWN_UNENCRYPTED_REPO_ACCESS_IS_OK: 'yes'
      },
      ...(cwd === undefined ? {} : { cwd }),
      ...(this.onCommandStart === undefined ? {} : { onStart: this.onCommandStart })
    })
  }

  async init (): Promise<TimedRun> {
    mkdirSync(this.homeDir, { recursive: true })
    return this.run(['init', `--encryption=${BORG_ENCRYPTION}`, this.repoDir])
  }

  /** One archive per backup, named in order; default compression and files cache, as a user gets them. */
  async backup (paths: readonly string[]): Promise<{ run: TimedRun, summary?: PeerSummary }> {
    const run = await this.run(['create', '--json', `${this.repoDir}::b${++this.#archives}`, ...paths])
    let stats: object | undefined
    try {
      stats = (JSON.parse(run.stdout) as { archive?: { stats?: object } }).archive?.stats
    } catch {
      stats = undefined
    }
    const summary = pickNumbers(stats, STATS_KEYS)
    return summary === undefined ? { run } : { run, summary }
  }

  /** `borg extract` writes into the current folder: it runs in `target`. */
  async restore (target: string): Promise<TimedRun> {
    mkdirSync(target, { recursive: true })
    return this.run(['extract', `${this.repoDir}::b${this.#archives}`], target)
  }
}

/** A new borg repository in `root`, or undefined when borg is not installed. */
export async function setUpBorg (root: string): Promise<BorgRepo | undefined> {
  const version = await borgVersion()
  if (version === undefined) return undefined
  const repo = new BorgRepo(version, join(root, BORG_DIRS[0]), join(root, BORG_DIRS[1]))
  await repo.init()
  return repo
}
