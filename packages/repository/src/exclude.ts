import { basename } from 'node:path'
import picomatch from 'picomatch'
import { InvalidInputError } from '@resilien/types'

/** Answers whether a path (absolute, as walked) is left out of the backup. */
export type ExcludeMatcher = (path: string) => boolean

/** Longest pattern taken: a longer one is a mistake, and globs are compiled to regular expressions. */
const MAX_PATTERN_LENGTH = 4096

/**
 * Compiles exclude patterns as restic and borg users write them: a pattern with a "/" is a glob
 * on the whole absolute path (`/srv/nextcloud/data/*\/cache`, `**\/node_modules`); a pattern
 * without one matches the base name at any depth (`*.tmp`, `.cache`). Dot files match like any
 * other. An excluded folder is not walked at all.
 */
export function compileExcludes (patterns: readonly string[] = []): ExcludeMatcher {
  if (patterns.length === 0) return () => false
  const onPath: string[] = []
  const onName: string[] = []
  for (const pattern of patterns) {
    if (typeof pattern !== 'string' || pattern === '' || pattern.length > MAX_PATTERN_LENGTH) {
      throw new InvalidInputError(`exclude pattern ${JSON.stringify(pattern)} is empty or too long`)
    }
    const trimmed = pattern.length > 1 && pattern.endsWith('/') ? pattern.slice(0, -1) : pattern
    if (trimmed.includes('/')) onPath.push(trimmed)
    else onName.push(trimmed)
  }
  const options = { dot: true }
  const pathMatch = onPath.length === 0 ? undefined : picomatch(onPath, options)
  const nameMatch = onName.length === 0 ? undefined : picomatch(onName, options)
  return (path) => (pathMatch?.(path) ?? false) || (nameMatch?.(basename(path)) ?? false)
}
