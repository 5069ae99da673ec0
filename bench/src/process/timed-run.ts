import { spawn } from 'node:child_process'
import { closeSync, existsSync, openSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { onCleanup } from './cleanup.js'

/** GNU time: elapsed, user and system seconds and peak RSS of the command it runs. */
const GNU_TIME = '/usr/bin/time'
const GNU_TIME_FORMAT = '%e %U %S %M'
const KiB = 1024

export interface TimedRun {
  code: number
  stdout: string
  stderr: string
  /** Wall time measured here (GNU time's %e has only 10 ms resolution). */
  seconds: number
  /** CPU seconds of the command (NaN without GNU time). */
  cpuSeconds: number
  /** Peak RSS of the command (NaN without GNU time). */
  maxRssBytes: number
}

export interface TimedRunOptions {
  env?: Record<string, string | undefined>
  cwd?: string
  /** Hears the pid as soon as the command runs (GNU time's, when it wraps the command). */
  onStart?: (pid: number) => void
  /** Standard output goes to this file instead of into `stdout` (a dump of hundreds of MB). */
  stdoutFile?: string
}

/** The warning of a run without GNU time. */
export const GNU_TIME_MISSING = '/usr/bin/time is missing: CLI and restic CPU and memory are not measured (apt-get install time)'

export function haveGnuTime (): boolean {
  return existsSync(GNU_TIME)
}

let runs = 0

/** Runs a command to completion under GNU time (when installed); killed if the bench is interrupted. */
export async function timedRun (command: string, args: readonly string[], options: TimedRunOptions = {}): Promise<TimedRun> {
  const timeFile = join(tmpdir(), `resilien-bench-time-${process.pid}-${runs++}`)
  const gnuTime = haveGnuTime()
  const [cmd, argv] = gnuTime ? [GNU_TIME, ['-o', timeFile, '-f', GNU_TIME_FORMAT, command, ...args]] : [command, [...args]]
  const out = options.stdoutFile === undefined ? 'pipe' : openSync(options.stdoutFile, 'w')
  const t0 = process.hrtime.bigint()
  let child
  try {
    child = spawn(cmd, argv, {
      env: { ...process.env, ...options.env },
      cwd: options.cwd ?? process.cwd(),
      stdio: ['ignore', out, 'pipe']
    })
  } finally {
    // The child has its own copy of the descriptor once spawned.
    if (typeof out === 'number') closeSync(out)
  }
  if (child.pid !== undefined) options.onStart?.(child.pid)
  const kill = onCleanup(() => {
    child.kill('SIGKILL')
    rmSync(timeFile, { force: true })
  })
  let stdout = ''
  let stderr = ''
  child.stdout?.on('data', (d: Buffer) => { stdout += d.toString() })
  child.stderr?.on('data', (d: Buffer) => { stderr += d.toString() })
  const code = await new Promise<number>((resolve, reject) => {
    child.once('error', reject)
    child.once('close', (c, sig) => resolve(c ?? (sig === null ? -1 : 128)))
  })
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9
  let cpuSeconds = Number.NaN
  let maxRssBytes = Number.NaN
  if (gnuTime && existsSync(timeFile)) {
    // The last line: GNU time writes "Command exited with non-zero status N" before it on failure.
    const last = readFileSync(timeFile, 'utf8').trim().split('\n').pop() ?? ''
    const [, user, sys, rss] = last.split(' ').map(Number)
    cpuSeconds = (user ?? Number.NaN) + (sys ?? Number.NaN)
    maxRssBytes = (rss ?? Number.NaN) * KiB
  }
  kill()
  return { code, stdout, stderr, seconds, cpuSeconds, maxRssBytes }
}

/** Like timedRun, but a non-zero exit is an error carrying the command's stderr. */
export async function mustRun (command: string, args: readonly string[], options: TimedRunOptions = {}): Promise<TimedRun> {
  const r = await timedRun(command, args, options)
  if (r.code !== 0) {
    const what = [command, ...args].join(' ')
    throw new Error(`${what} exited with ${r.code}: ${r.stderr.trim().split('\n').slice(-5).join('\n')}`)
  }
  return r
}
