/**
 * Cleanups that must run however the bench ends: normal end, an exception, Ctrl-C or SIGTERM.
 * They are synchronous (kill a child, remove a folder) so that they also run from 'exit'.
 */
const tasks = new Set<() => void>()
let installed = false

/** Exit codes of a shell for a process ended by SIGINT / SIGTERM. */
const EXIT_ON_SIGNAL: Partial<Record<NodeJS.Signals, number>> = { SIGINT: 130, SIGTERM: 143 }

/** Registers `fn`; returns a function that runs it now (once) and unregisters it. */
export function onCleanup (fn: () => void): () => void {
  install()
  let done = false
  const task = (): void => {
    if (done) return
    done = true
    tasks.delete(task)
    try {
      fn()
    } catch {
      // A cleanup that fails must not stop the others.
    }
  }
  tasks.add(task)
  return task
}

/** Runs every registered cleanup, newest first. */
export function runCleanups (): void {
  for (const task of [...tasks].reverse()) task()
}

function install (): void {
  if (installed) return
  installed = true
  process.on('exit', runCleanups)
  for (const signal of Object.keys(EXIT_ON_SIGNAL) as NodeJS.Signals[]) {
    process.once(signal, () => {
      process.stderr.write(`\nresilien bench: ${signal}, cleaning up\n`)
      runCleanups()
      process.exit(EXIT_ON_SIGNAL[signal])
    })
  }
}
