import type { StdinSource } from '@resilien/repository'
import { ResilienError } from '@resilien/types'
import { spawnShell, terminateGroup } from './shell-process.js'

/** Bytes of a failing command's stderr kept for its error message. */
const STDERR_TAIL_BYTES = 2000

export interface CommandStreamOptions {
  signal: AbortSignal
  /** Added to the node's environment (e.g. PGPASSFILE for a dump). */
  env?: Record<string, string>
}

/** The last line a command wrote on stderr, for a one-line error. */
export function lastLine (text: string): string {
  return text.trim().split('\n').pop() ?? ''
}

/**
 * The standard output of `command` (run with sh) as a stream the backup engine stores as a file.
 * The command starts when the engine first reads (several dumps of one snapshot then run one
 * after the other, not all at once); `done` rejects when it fails, and then nothing is committed.
 */
export function commandStream (command: string, filename: string, options: CommandStreamOptions): StdinSource {
  let settle: { resolve: () => void, reject: (err: Error) => void } | undefined
  const done = new Promise<void>((resolve, reject) => { settle = { resolve, reject } })
  done.catch(() => {})
  async function * output (): AsyncGenerator<Uint8Array> {
    options.signal.throwIfAborted()
    const child = spawnShell(command, { ...process.env, ...options.env })
    const onAbort = (): void => { terminateGroup(child) }
    options.signal.addEventListener('abort', onAbort, { once: true })
    let stderr = ''
    child.stderr.on('data', (d: Buffer) => { stderr = (stderr + d.toString('utf8')).slice(-STDERR_TAIL_BYTES) })
    const exited = new Promise<void>((resolve, reject) => {
      child.once('error', (err) => reject(new ResilienError(`command "${command}" could not run: ${err.message}`)))
      child.once('close', (code, sig) => {
        if (code === 0) resolve()
        // We stopped it (the backup was interrupted, or the node is stopping): the reason is ours,
        // not a failure of the operator's command.
        else if (options.signal.aborted) reject(options.signal.reason instanceof Error ? options.signal.reason : new ResilienError('the backup was interrupted'))
        else reject(new ResilienError(`command "${command}" failed (${sig ?? `exit code ${code ?? '?'}`}); nothing was committed${stderr.trim() === '' ? '' : `: ${lastLine(stderr)}`}`))
      })
    })
    exited.then(() => settle?.resolve(), (err: Error) => settle?.reject(err))
    try {
      for await (const chunk of child.stdout) yield chunk as Buffer
    } finally {
      options.signal.removeEventListener('abort', onAbort)
      // The engine stopped reading early (an error elsewhere, or an abort): nothing the command
      // started may linger.
      if (child.exitCode === null && child.signalCode === null) terminateGroup(child)
    }
    await exited.catch(() => {})
  }
  return { filename, data: output(), done }
}
