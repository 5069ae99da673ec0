import { InvalidInputError } from '@resilien/types'

/**
 * Exclude patterns of a job's paths, the way restic reads them:
 * - a pattern starting with `/` is matched from the file system root (`/srv/www/cache`);
 * - any other pattern may match at any depth (`*.tmp`, `node_modules`, `cache/tmp`), as if it
 *   started with a `**` component;
 * - `*` matches any characters but `/`, `?` one character but `/`, `[a-z]` / `[!a-z]` one character
 *   of (or not of) a class, `**` as a whole component any number of components (zero included),
 *   and `\` makes the next character literal;
 * - a pattern that matches a folder excludes everything inside it.
 */
export type ExcludeMatcher = (path: string) => boolean

/** `**` as a whole component; any other component is a RegExp for one name. */
type Segment = 'any-depth' | RegExp

/** Compiles one pattern into path components; throws an InvalidInputError saying what is wrong. */
function compile (pattern: string): Segment[] {
  if (pattern.trim() === '') throw new InvalidInputError('an empty pattern would exclude nothing')
  if (pattern.includes('\0')) throw new InvalidInputError('a pattern cannot hold a NUL character')
  const parts = pattern.split('/').filter((p) => p !== '')
  if (parts.length === 0) throw new InvalidInputError(`"${pattern}" would exclude everything`)
  const segments = parts.map((part) => part === '**' ? 'any-depth' as const : componentRegExp(part, pattern))
  return pattern.startsWith('/') ? segments : ['any-depth', ...segments]
}

function componentRegExp (part: string, pattern: string): RegExp {
  let re = ''
  for (let i = 0; i < part.length; i++) {
    const c = part[i] as string
    if (c === '\\') {
      const next = part[++i]
      if (next === undefined) throw new InvalidInputError(`"${pattern}" ends with a lone \\`)
      re += escapeRegExp(next)
    } else if (c === '*') {
      while (part[i + 1] === '*') i++
      re += '[^/]*'
    } else if (c === '?') {
      re += '[^/]'
    } else if (c === '[') {
      const end = part.indexOf(']', i + 2)
      if (end < 0) throw new InvalidInputError(`"${pattern}" has a [ without its ]`)
      let body = part.slice(i + 1, end)
      const negated = body.startsWith('!') || body.startsWith('^')
      if (negated) body = body.slice(1)
      re += `[${negated ? '^' : ''}${body.replaceAll('\\', '\\\\').replaceAll(']', '\\]')}]`
      i = end
    } else {
      re += escapeRegExp(c)
    }
  }
  try {
    return new RegExp(`^${re}$`, 'u')
  } catch {
    throw new InvalidInputError(`"${pattern}" has a character class that is not valid (e.g. [z-a])`)
  }
}

function escapeRegExp (c: string): string {
  return c.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')
}

/**
 * True when the segments match the first components of `names` (a folder or the path itself),
 * or with `whole` all of them (the path itself, not a folder above it).
 */
function matchesPrefix (segments: readonly Segment[], names: readonly string[], whole = false): boolean {
  const failed = new Set<number>()
  const at = (s: number, n: number): boolean => {
    if (s === segments.length) return whole ? n === names.length : n > 0
    const key = s * (names.length + 1) + n
    if (failed.has(key)) return false
    const segment = segments[s] as Segment
    const ok = segment === 'any-depth'
      ? at(s + 1, n) || (n < names.length && at(s, n + 1))
      : n < names.length && segment.test(names[n] as string) && at(s + 1, n + 1)
    if (!ok) failed.add(key)
    return ok
  }
  return at(0, 0)
}

/** Throws an InvalidInputError when `pattern` is not a valid exclude pattern. */
export function checkExcludePattern (pattern: string): void {
  compile(pattern)
}

/** One predicate for a list of patterns: true when an absolute path is excluded. */
export function compileExclude (patterns: readonly string[]): ExcludeMatcher {
  const compiled = patterns.map(compile)
  return (path) => {
    const names = path.split('/').filter((p) => p !== '')
    return compiled.some((segments) => matchesPrefix(segments, names))
  }
}

/**
 * The same patterns as compileExclude, matched against a path itself: a pattern that names a
 * folder matches that folder, not what is inside it (for `find`).
 */
export function compilePathMatcher (patterns: readonly string[]): ExcludeMatcher {
  const compiled = patterns.map(compile)
  return (path) => {
    const names = path.split('/').filter((p) => p !== '')
    return compiled.some((segments) => matchesPrefix(segments, names, true))
  }
}

/** A pattern that matches exactly this absolute path (its glob characters made literal). */
export function literalPattern (path: string): string {
  return path.replace(/[\\*?[\]]/g, '\\$&')
}
