/** Exit codes; documented in the README ("Exit codes"). */
export const ExitCode = Object.freeze({
  ok: 0,
  /** The command failed; it changed nothing (or, for check, it found problems). */
  failure: 1,
  /** Bad command line, missing passphrase, unknown option. */
  usage: 2,
  /** Done, but some files could not be read or written: the output lists them. */
  partial: 3,
  /** Interrupted by Ctrl-C or SIGTERM: nothing was committed. */
  interrupted: 130
})

/** A problem with how the command was called. */
export class UsageError extends Error {
  constructor (message: string) {
    super(message)
    this.name = 'UsageError'
  }
}

/** Ends the command with a given exit code after its output was printed. */
export class ExitWith extends Error {
  constructor (readonly code: number, message = '') {
    super(message)
    this.name = 'ExitWith'
  }
}
