import { spawn } from 'node:child_process'
import type { ChildProcess } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { onCleanup } from '../process/cleanup.js'
import { mustRun } from '../process/timed-run.js'
import type { TimedRun } from '../process/timed-run.js'
import type { BackupStats } from '@resilien/types'

export type { BackupStats }

/** The real `resilien` command, as a user runs it. */
export const RESILIEN_BIN = fileURLToPath(new URL('../../../../cli/bin/resilien.js', import.meta.url))
/** How long a node may take to say it is up, and to stop after SIGTERM. */
const START_TIMEOUT_MS = 60_000
const STOP_TIMEOUT_MS = 30_000
/** The repository every bench backup goes to. */
export const BENCH_REPO = 'main'


/**
 * One site: its data dir and, while started, its node process. Every command goes through the
 * CLI, as a user's would; the node's pid is exposed so its CPU and memory can be read.
 */
export class ResilienSite {
  private child: ChildProcess | undefined
  private stopCleanup: (() => void) | undefined
  log = ''

  constructor (readonly dataDir: string, private readonly env: Record<string, string> = {}) {}

  get pid (): number {
    const pid = this.child?.pid
    if (pid === undefined) throw new Error('the site node is not running')
    return pid
  }

  async run (args: readonly string[]): Promise<TimedRun> {
    return mustRun(process.execPath, [RESILIEN_BIN, '--data', this.dataDir, ...args], { env: this.env })
  }

  async init (name: string): Promise<void> {
    await mustRun(process.execPath, [RESILIEN_BIN, 'init', '--data', this.dataDir, '--name', name, '--listen', '/ip4/127.0.0.1/tcp/0'], { env: this.env })
  }

  /** Starts `resilien start` and waits until the node says it is up. */
  async start (): Promise<void> {
    const child = spawn(process.execPath, [RESILIEN_BIN, 'start', '--data', this.dataDir], {
      env: { ...process.env, ...this.env },
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

  /** SIGTERM (a clean stop), SIGKILL if it lingers. */
  async stop (): Promise<void> {
    const child = this.child
    if (child === undefined) return
    this.child = undefined
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
      child.kill('SIGTERM')
      const timer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS)
      await exited
      clearTimeout(timer)
    }
    this.stopCleanup?.()
  }

  async createRepo (): Promise<TimedRun> {
    return this.run(['repo', 'create', BENCH_REPO])
  }

  async backup (paths: readonly string[]): Promise<{ run: TimedRun, stats: BackupStats }> {
    const run = await this.run(['backup', BENCH_REPO, ...paths, '--json'])
    return { run, stats: (JSON.parse(run.stdout) as { stats: BackupStats }).stats }
  }

  async restore (target: string): Promise<TimedRun> {
    return this.run(['restore', BENCH_REPO, 'latest', '--target', target, '--json'])
  }

  /** Bytes of shards the cluster stores (every site; here the one). */
  async storedBytes (): Promise<number> {
    const run = await this.run(['status', '--json'])
    const status = JSON.parse(run.stdout) as { sites: Array<{ storedBytes: number }> }
    return status.sites.reduce((n, s) => n + s.storedBytes, 0)
  }
}
