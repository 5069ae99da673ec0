/** Characters that never need quoting in a POSIX shell word. */
const SAFE_WORD = /^[A-Za-z0-9_@%+=:,./-]+$/

/**
 * Quotes one argument for a POSIX shell (sh, dash, bash): single quotes keep every character
 * literal except the single quote itself, which is closed, escaped and reopened. Words made
 * only of safe characters stay as they are, so the generated commands read like hand-written ones.
 */
export function shellQuote (arg: string): string {
  if (SAFE_WORD.test(arg)) return arg
  return `'${arg.replaceAll("'", "'\\''")}'`
}

/** A command line from separate arguments, each quoted. */
export function shellJoin (args: readonly string[]): string {
  return args.map(shellQuote).join(' ')
}
