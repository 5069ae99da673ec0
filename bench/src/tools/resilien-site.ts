import { spawn } from 'node:child_process'
import type { ChildProcess } from 'node:child_process'
import { delimiter, dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { CONTROL_SOCKET_NAME, createControlClient } from '@resilien/control'
import { onCleanup } from '../process/cleanup.js'
import { mustRun } from '../process/timed-run.js'
import type { TimedRun } from '../process/timed-run.js'
import type { BackupStats } from '@resilien/types'

export type { BackupStats }

/** The real `resilien` command, as a user runs it. */
export const RESILIEN_BIN = fileURLToPath(new URL('../../../../cli/bin/resilien.js', import.meta.url))
/**
 * The command runs as a user's shell runs it, the file itself: its `#!` line sets the node's
 * memory settings, which are part of what is measured. Its `env node` must find the Node that
 * runs the bench, so that one comes first on PATH.
 */
const NODE_ON_PATH = { PATH: `${dirname(process.execPath)}${delimiter}${process.env.PATH ?? ''}` }
/** How long a node may take to say it is up, and to stop after SIGTERM. */
const START_TIMEOUT_MS = 60_000
const STOP_TIMEOUT_MS = 30_000
/** The repository every bench backup goes to. */
export const BENCH_REPO = 'main'
/** The passphrase of every bench repository (the CLI reads it from the environment). */
export const BENCH_PASSWORD_ENV = { RESILIEN_PASSWORD: 'resilien bench passphrase' }
/** Where a bench site listens: loopback, a port the system picks. */
const LISTEN = '/ip4/127.0.0.1/tcp/0'

/** `resilien status --json`: the control API's shapes. */
export type { RedundancySummary, SiteStatus, StatusResult as ClusterStatus } from '@resilien/control'
import type { ForgetResult, StatusResult as ClusterStatus } from '@resilien/control'
export type { ForgetResult, PruneResult } from '@resilien/control'

/**
 * One site: its data dir and, while started, its node process. Every command goes through the
 * CLI, as a user's would; the node's pid is exposed so its CPU and memory can be read.
 */
export class ResilienSite {
  private child: ChildProcess | undefined
  private stopCleanup: (() => void) | undefined
  log = ''
  /** Hears the pid of each CLI command as it starts (the memory timeline samples it). */
  onCommandStart: ((pid: number) => void) | undefined

  constructor (readonly dataDir: string, private readonly env: Record<string, string> = {}) {}

  /** Whether the node process is running (started and not stopped). */
  get running (): boolean {
    return this.child !== undefined && this.child.exitCode === null && this.child.signalCode === null
  }

  get pid (): number {
    const pid = this.child?.pid
    if (pid === undefined) throw new Error('the site node is not running')
    return pid
  }

  async run (args: readonly string[], options: { stdoutFile?: string } = {}): Promise<TimedRun> {
    return mustRun(RESILIEN_BIN, ['--data', this.dataDir, ...args], {
      ...options,
      env: { ...NODE_ON_PATH, ...this.env },
      ...(this.onCommandStart === undefined ? {} : { onStart: this.onCommandStart })
    })
  }

  async init (name: string): Promise<void> {
    await this.run(['init', '--name', name, '--listen', LISTEN])
  }

  /** An invitation for one more site (the token `join` takes). */
  async invite (): Promise<string> {
    return (await this.run(['invite'])).stdout.trim()
  }

  /** Makes this (new) site a member of the cluster that issued `token`. */
  async join (token: string, name: string): Promise<void> {
    await this.run(['join', token, '--name', name, '--listen', LISTEN])
  }

  /** Starts `resilien start` and waits until the node says it is up. */
  async start (): Promise<void> {
    const child = spawn(RESILIEN_BIN, ['start', '--data', this.dataDir], {
      env: { ...process.env, ...NODE_ON_PATH, ...this.env },
      stdio: ['ignore', 'pipe', 'pipe']
    })
    this.child = child
    this.stopCleanup = onCleanup(() => child.kill('SIGKILL'))
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`site node did not start in ${START_TIMEOUT_MS} ms:\n${this.log}`)), START_TIMEOUT_MS)
      const onData = (d: Buffer): void => {
        this.log += d.toString()
        if (this.log.includes(' is up')) {
          clearTimeout(timer)
          resolve()
        }
      }
      child.stdout.on('data', onData)
      child.stderr.on('data', onData)
      child.once('exit', (code) => {
        clearTimeout(timer)
        reject(new Error(`site node exited with ${code ?? 'a signal'} while starting:\n${this.log}`))
      })
    })
  }

  /** The addresses the running node listens on, as its "is up" line gave them. */
  listenAddresses (): string[] {
    const m = / is up;[^\n]* listening on ([^\n]*)\n/.exec(this.log)
    return m?.[1]?.trim().split(' ').filter((a) => a !== '') ?? []
  }

  /** SIGTERM (a clean stop), SIGKILL if it lingers; `crash` sends SIGKILL at once, as a power cut would. */
  async stop (crash = false): Promise<void> {
    const child = this.child
    if (child === undefined) return
    this.child = undefined
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
      child.kill(crash ? 'SIGKILL' : 'SIGTERM')
      const timer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS)
      await exited
      clearTimeout(timer)
    }
    this.stopCleanup?.()
  }

  /** The bench repository, with the cluster's default coding unless `coding` says; its k data and m parity shards per stripe. */
  async createRepo (coding?: { k: number, m: number }): Promise<{ run: TimedRun, k: number, m: number }> {
    const codingArgs = coding === undefined ? [] : ['--k', String(coding.k), '--m', String(coding.m)]
    const run = await this.run(['repo', 'create', BENCH_REPO, ...codingArgs, '--json'])
    const { k, m } = JSON.parse(run.stdout) as { k: number, m: number }
    return { run, k, m }
  }

  async backup (paths: readonly string[]): Promise<{ run: TimedRun, stats: BackupStats, snapshot: string }> {
    const run = await this.run(['backup', BENCH_REPO, ...paths, '--json'])
    const result = JSON.parse(run.stdout) as { stats: BackupStats, snapshot: string }
    return { run, stats: result.stats, snapshot: result.snapshot }
  }

  async restore (target: string): Promise<TimedRun> {
    return this.run(['restore', BENCH_REPO, 'latest', '--target', target, '--json'])
  }

  /** `dump` of `path` (a folder: a tar archive) in the latest snapshot, into `file`. */
  async dump (path: string, file: string): Promise<TimedRun> {
    return this.run(['dump', BENCH_REPO, 'latest', path], { stdoutFile: file })
  }

  /** Ids of the bench repository's snapshots this site knows. */
  async snapshots (): Promise<string[]> {
    const run = await this.run(['snapshots', BENCH_REPO, '--json'])
    return (JSON.parse(run.stdout) as Array<{ id: string }>).map((s) => s.id)
  }

  /** `site lost NAME`: the site is declared gone at once, and repair rebuilds its shards elsewhere. */
  async siteLost (name: string): Promise<TimedRun> {
    return this.run(['site', 'lost', name])
  }

  /** `forget --keep-last N --prune` on the bench repository: what it kept, removed and pruned. */
  async forgetAndPrune (keepLast: number): Promise<{ run: TimedRun, result: ForgetResult }> {
    const run = await this.run(['forget', BENCH_REPO, '--keep-last', String(keepLast), '--prune', '--json'])
    return { run, result: JSON.parse(run.stdout) as ForgetResult }
  }

  async status (): Promise<ClusterStatus> {
    return JSON.parse((await this.run(['status', '--json'])).stdout) as ClusterStatus
  }

  /**
   * The status `status --json` prints, asked on the node's control socket without a CLI process:
   * for probes every few hundred ms, where starting Node each time would take a share of a core
   * from the work being timed and stretch the period.
   */
  async probeStatus (): Promise<ClusterStatus> {
    return createControlClient(join(this.dataDir, CONTROL_SOCKET_NAME)).call('status', {})
  }

  /** Bytes of shards the cluster stores (every site, as this site knows them). */
  async storedBytes (): Promise<number> {
    return (await this.status()).sites.reduce((n, s) => n + s.storedBytes, 0)
  }
}
