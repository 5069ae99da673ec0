import { spawn } from 'node:child_process'
import type { ChildProcess } from 'node:child_process'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { delimiter, dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

/** How long a node may take to say it is up before the test fails. */
const START_TIMEOUT_MS = 60_000

/** The real `resilien` command, as a user runs it. */
export const RESILIEN_BIN = fileURLToPath(new URL('../../../cli/bin/resilien.js', import.meta.url))

/**
 * The command runs as a user's shell runs it: the file itself, whose `#!` line sets the node's
 * memory settings. Its `env node` must find the Node that runs the tests, so that one comes
 * first on PATH.
 */
export function resilienEnv (...overrides: Array<Record<string, string | undefined> | undefined>): NodeJS.ProcessEnv {
  return Object.assign({ ...process.env, PATH: `${dirname(process.execPath)}${delimiter}${process.env.PATH ?? ''}` }, ...overrides)
}

export interface RunResult {
  code: number
  stdout: string
  stderr: string
}

export interface RunOptions {
  env?: Record<string, string | undefined>
  cwd?: string
  /** Kill the command after this many milliseconds (a test must never hang). */
  timeoutMs?: number
}

/** Environment of every command in tests: a cheap KDF (many repositories are made) and a known passphrase. */
export const TEST_ENV: Record<string, string> = {
  RESILIEN_KDF: 'test',
  RESILIEN_PASSWORD: 'correct horse battery staple'
}

/** Runs `resilien ARGS` to completion. */
export async function runResilien (args: readonly string[], options: RunOptions = {}): Promise<RunResult> {
  const child = spawn(RESILIEN_BIN, args, {
    env: resilienEnv(TEST_ENV, options.env),
    cwd: options.cwd ?? process.cwd(),
    stdio: ['ignore', 'pipe', 'pipe']
  })
  let stdout = ''
  let stderr = ''
  child.stdout.on('data', (d: Buffer) => { stdout += d.toString() })
  child.stderr.on('data', (d: Buffer) => { stderr += d.toString() })
  const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 120_000)
  const code = await new Promise<number>((resolve) => child.once('close', (c, sig) => resolve(c ?? (sig === null ? -1 : 128))))
  clearTimeout(timer)
  return { code, stdout, stderr }
}

export interface TestContext {
  after: (fn: () => Promise<void> | void) => void
}

/**
 * A temp folder for a site's data dir. After the test the site is killed first, then the folder
 * goes: hooks run in the order they were added, and a running node (a scheduled job) keeps
 * writing into its folder while `rm` walks it.
 */
export async function siteTempDir (t: TestContext, site: () => Site | undefined): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'resilien-test-'))
  t.after(async () => {
    await site()?.stop('SIGKILL')
    await rm(dir, { recursive: true, force: true, maxRetries: 3 })
  })
  return dir
}

export async function tempDir (t: TestContext, prefix = 'resilien-test-'): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), prefix))
  t.after(async () => rm(dir, { recursive: true, force: true }))
  return dir
}

/** A site: its data dir, and its node process while started. */
export class Site {
  private child: ChildProcess | undefined
  log = ''

  constructor (readonly dataDir: string, readonly name: string, private readonly env: Record<string, string | undefined> = {}) {}

  /** `resilien ARGS --data DIR` against this site. */
  async run (args: readonly string[], options: RunOptions = {}): Promise<RunResult> {
    return runResilien([...args, '--data', this.dataDir], { ...options, env: { ...this.env, ...options.env } })
  }

  /** Starts `resilien start` and waits until the node says it is up. */
  async start (): Promise<void> {
    if (this.child !== undefined) throw new Error(`site ${this.name} is running already`)
    const child = spawn(RESILIEN_BIN, ['start', '--data', this.dataDir], {
      env: resilienEnv(TEST_ENV, this.env),
      stdio: ['ignore', 'pipe', 'pipe']
    })
    this.child = child
    await new Promise<void>((resolve, reject) => {
      // A node that never comes up fails the test instead of hanging it.
      const timer = setTimeout(() => {
        child.kill('SIGKILL')
        reject(new Error(`site ${this.name} did not come up in ${START_TIMEOUT_MS} ms:\n${this.log}`))
      }, START_TIMEOUT_MS)
      let up = false
      const onData = (d: Buffer): void => {
        this.log += d.toString()
        // Looked for only until found: the log grows with all the node prints (a fuzzed node
        // logs a line per request), and searching all of it for every chunk slows the reader
        // and, through the pipe, the node itself.
        if (!up && this.log.includes(' is up')) {
          up = true
          clearTimeout(timer)
          resolve()
        }
      }
      child.stdout?.on('data', onData)
      child.stderr?.on('data', onData)
      child.once('exit', (code) => {
        clearTimeout(timer)
        reject(new Error(`site ${this.name} exited with ${code ?? 'a signal'} while starting:\n${this.log}`))
      })
    })
  }

  /** SIGTERM (clean stop) or SIGKILL (a crash); resolves when the process is gone. */
  async stop (signal: NodeJS.Signals = 'SIGTERM'): Promise<number | null> {
    const child = this.child
    if (child === undefined) return null
    this.child = undefined
    if (child.exitCode !== null || child.signalCode !== null) return child.exitCode
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)))
    child.kill(signal)
    return exited
  }

  get running (): boolean {
    return this.child !== undefined
  }

  /** The node process's id while started (for /proc/PID), else undefined. */
  get pid (): number | undefined {
    return this.child?.pid
  }
}

/** `resilien init` a new single-site cluster in a temp dir, started, stopped after the test. */
export async function newSite (t: TestContext, name = 'site1', env: Record<string, string | undefined> = {}): Promise<Site> {
  let made: Site | undefined
  const root = await siteTempDir(t, () => made)
  const site = new Site(join(root, 'data'), name, env)
  made = site
  const init = await site.run(['init', '--name', name, '--listen', '/ip4/127.0.0.1/tcp/0'])
  if (init.code !== 0) throw new Error(`init failed: ${init.stderr}`)
  t.after(async () => { await site.stop('SIGKILL') })
  await site.start()
  return site
}
