import { spawn } from 'node:child_process'
import type { ChildProcessByStdio } from 'node:child_process'
import type { Readable } from 'node:stream'

/** After SIGTERM, SIGKILL follows this much later for what is still running. */
export const KILL_GRACE_MS = 5_000

export type ShellChild = ChildProcessByStdio<null, Readable, Readable>

/**
 * `sh -c command` in a process group of its own, so that stopping it reaches everything it
 * started: `sh -c "pg_dump ... | gzip"` or `a; b` runs its commands as children of sh, and a
 * signal to sh alone would leave them running (a dump holding its database snapshot for hours).
 */
export function spawnShell (command: string, env: NodeJS.ProcessEnv): ShellChild {
  return spawn('/bin/sh', ['-c', command], { stdio: ['ignore', 'pipe', 'pipe'], env, detached: true })
}

/** Sends `signal` to the command's whole group; a group already gone is not an error. */
export function signalGroup (child: ShellChild, signal: NodeJS.Signals): void {
  if (child.pid === undefined) return
  try {
    process.kill(-child.pid, signal)
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ESRCH') throw err
  }
}

/** SIGTERM to the group now, SIGKILL to whatever of it is left after KILL_GRACE_MS. */
export function terminateGroup (child: ShellChild): void {
  signalGroup(child, 'SIGTERM')
  setTimeout(() => { signalGroup(child, 'SIGKILL') }, KILL_GRACE_MS).unref()
}
