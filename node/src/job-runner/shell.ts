import { ResilienError } from '@resilien/types'
import { lastLine } from '../command-stream.js'
import { spawnShell, terminateGroup } from '../shell-process.js'

/** Bytes of a command's output kept for its error message. */
const OUTPUT_TAIL_BYTES = 2000

export interface ShellOptions {
  signal?: AbortSignal
  timeoutMs: number
  env?: Record<string, string>
}

/**
 * Runs a hook or an `occ` command with sh; resolves when it exits 0, else rejects with one line
 * (the command, its exit, the last line it printed). A command past its timeout, or aborted, is
 * terminated (SIGTERM, then SIGKILL) and counts as failed.
 */
export async function runShell (command: string, options: ShellOptions): Promise<void> {
  options.signal?.throwIfAborted()
  const child = spawnShell(command, { ...process.env, ...options.env })
  let output = ''
  const keep = (d: Buffer): void => { output = (output + d.toString('utf8')).slice(-OUTPUT_TAIL_BYTES) }
  child.stdout.on('data', keep)
  child.stderr.on('data', keep)
  let why: string | undefined
  const stop = (reason: string): void => {
    if (why !== undefined) return
    why = reason
    terminateGroup(child)
  }
  const timer = setTimeout(() => stop(`timed out after ${Math.round(options.timeoutMs / 1000)} s`), options.timeoutMs)
  const onAbort = (): void => stop('interrupted')
  options.signal?.addEventListener('abort', onAbort, { once: true })
  try {
    await new Promise<void>((resolve, reject) => {
      child.once('error', (err) => reject(new ResilienError(`command "${command}" could not run: ${err.message}`)))
      child.once('close', (code, sig) => {
        if (code === 0 && why === undefined) resolve()
        else reject(new ResilienError(`command "${command}" ${why ?? `failed (${sig ?? `exit code ${code ?? '?'}`})`}${output.trim() === '' ? '' : `: ${lastLine(output)}`}`))
      })
    })
  } finally {
    clearTimeout(timer)
    options.signal?.removeEventListener('abort', onAbort)
  }
}
