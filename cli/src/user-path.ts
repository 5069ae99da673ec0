import { resolve } from 'node:path'
import { UsageError } from './errors.js'

/**
 * A path from the command line or the environment, made absolute against the working folder.
 * An empty one is refused: `resolve('')` is the working folder, so `--target "$UNSET"` would
 * restore over it and `backup REPO "$UNSET"` back it up. `.` still says the working folder.
 */
export function userPath (text: string, what: string): string {
  if (text === '') throw new UsageError(`${what} is empty: give a path (. for the current folder)`)
  return resolve(text)
}
