import { posix } from 'node:path'
import { parseDuration, parseSize } from '@resilien/control'

/** Reports a bad key: `key` is its full path (source.database.kind), `problem` says what is wrong. Never returns. */
export type Fail = (key: string, problem: string) => never

/** A rule for a string value: the test, and what to say when it fails ("must be ..."). */
export interface StringRule {
  test: (value: string) => boolean
  describe: string
}

/** Edits (insert, delete, replace) from a to b: how close a typo is to a known key. */
function editDistance (a: string, b: string): number {
  let row = Array.from({ length: b.length + 1 }, (_, j) => j)
  for (let i = 1; i <= a.length; i++) {
    const next = [i]
    for (let j = 1; j <= b.length; j++) {
      next.push(Math.min((row[j] as number) + 1, (next[j - 1] as number) + 1, (row[j - 1] as number) + (a[i - 1] === b[j - 1] ? 0 : 1)))
    }
    row = next
  }
  return row[b.length] as number
}

/** Typos this close to a known key get a "did you mean" hint. */
const MAX_TYPO_DISTANCE = 2

function closest (name: string, candidates: Iterable<string>): string | undefined {
  let best: string | undefined
  let bestDistance = MAX_TYPO_DISTANCE + 1
  for (const c of candidates) {
    const d = editDistance(name.toLowerCase(), c.toLowerCase())
    if (d < bestDistance) {
      best = c
      bestDistance = d
    }
  }
  return best
}

function isTable (v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Date)
}

function typeName (v: unknown): string {
  if (Array.isArray(v)) return 'a list'
  if (v instanceof Date) return 'a date'
  if (isTable(v)) return 'a table'
  return `the ${typeof v} ${JSON.stringify(v)}`
}

/** An absolute path in its shortest form (no `.`, `..`, doubled or trailing slashes). */
export function normalizeAbsolute (path: string): string {
  const n = posix.normalize(path)
  return n.length > 1 && n.endsWith('/') ? n.slice(0, -1) : n
}

const ABSOLUTE_PATH: StringRule = {
  test: (v) => v.startsWith('/') && !v.includes('\0'),
  describe: 'an absolute path (starting with /)'
}

/**
 * One TOML table, read key by key. Every getter checks the type and names the full key path
 * when it is wrong; `finish()` then refuses the keys nobody asked for (typos), suggesting the
 * closest known key.
 */
export class ConfigTable {
  private readonly asked = new Set<string>()

  constructor (private readonly raw: Record<string, unknown>, private readonly path: string, readonly fail: Fail) {}

  /** A top-level table, or a failure naming `key` when the value is not a table. */
  static of (value: unknown, key: string, path: string, fail: Fail): ConfigTable {
    if (!isTable(value)) return fail(key, `must be a table, not ${typeName(value)}`)
    return new ConfigTable(value, path, fail)
  }

  /** Full key path of a key of this table. */
  key (name: string): string {
    return this.path === '' ? name : `${this.path}.${name}`
  }

  has (name: string): boolean {
    return Object.hasOwn(this.raw, name)
  }

  /** The raw value (undefined when absent); marks the key as known. */
  value (name: string): unknown {
    this.asked.add(name)
    return this.has(name) ? this.raw[name] : undefined
  }

  /** Fails with "is missing", pointing at a present key that looks like a typo of it. */
  missing (name: string, what: string): never {
    const typo = closest(name, Object.keys(this.raw).filter((k) => !this.asked.has(k)))
    const hint = typo === undefined ? '' : ` (is ${this.key(typo)} a typo?)`
    return this.fail(this.key(name), `is missing: give ${what}${hint}`)
  }

  string (name: string, rule?: StringRule): string | undefined {
    const v = this.value(name)
    if (v === undefined) return undefined
    if (typeof v !== 'string') return this.fail(this.key(name), `must be ${rule?.describe ?? 'a string'}, not ${typeName(v)}`)
    if (rule !== undefined && !rule.test(v)) return this.fail(this.key(name), `must be ${rule.describe}, not ${JSON.stringify(v)}`)
    if (rule === undefined && v.trim() === '') return this.fail(this.key(name), 'must not be empty')
    return v
  }

  requiredString (name: string, rule: StringRule): string {
    return this.string(name, rule) ?? this.missing(name, rule.describe)
  }

  /** A list of strings, each checked by `rule`; an entry's key is name[i]. */
  stringList (name: string, rule?: StringRule, options: { nonEmpty?: boolean } = {}): string[] | undefined {
    const v = this.value(name)
    if (v === undefined) return undefined
    const describe = rule === undefined ? 'a list of strings' : `a list, each ${rule.describe}`
    if (!Array.isArray(v)) return this.fail(this.key(name), `must be ${describe}, not ${typeName(v)}`)
    if (options.nonEmpty === true && v.length === 0) return this.fail(this.key(name), `must not be empty: give ${describe}`)
    return v.map((item: unknown, i) => {
      const key = `${this.key(name)}[${i}]`
      if (typeof item !== 'string') return this.fail(key, `must be ${rule?.describe ?? 'a string'}, not ${typeName(item)}`)
      if (rule !== undefined && !rule.test(item)) return this.fail(key, `must be ${rule.describe}, not ${JSON.stringify(item)}`)
      if (rule === undefined && item.trim() === '') return this.fail(key, 'must not be empty')
      return item
    })
  }

  /** Shell commands: one string, or a list of them. */
  commands (name: string): string[] | undefined {
    const v = this.value(name)
    if (typeof v === 'string') return [this.string(name) as string]
    return this.stringList(name)
  }

  /** A TOML integer in [min, max]. */
  integer (name: string, min: number, max: number): number | undefined {
    const v = this.value(name)
    if (v === undefined) return undefined
    if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < min || v > max) {
      return this.fail(this.key(name), `must be a whole number from ${min} to ${max}, not ${typeof v === 'number' ? v : typeName(v)}`)
    }
    return v
  }

  /** A TOML number (integer or float) in [min, max]. */
  number (name: string, min: number, max: number): number | undefined {
    const v = this.value(name)
    if (v === undefined) return undefined
    if (typeof v !== 'number' || !Number.isFinite(v) || v < min || v > max) {
      return this.fail(this.key(name), `must be a number from ${min} to ${max}, not ${typeof v === 'number' ? v : typeName(v)}`)
    }
    return v
  }

  /** A duration string ("45s", "30m", "2h", "7d") in milliseconds, at least `minMs`. */
  duration (name: string, minMs = 1): number | undefined {
    const v = this.value(name)
    if (v === undefined) return undefined
    const describe = 'a duration such as "45s", "30m", "2h" or "7d"'
    if (typeof v !== 'string') return this.fail(this.key(name), `must be ${describe} (in quotes), not ${typeName(v)}`)
    let ms: number
    try {
      ms = parseDuration(v, name)
    } catch {
      return this.fail(this.key(name), `must be ${describe}, not ${JSON.stringify(v)}`)
    }
    if (ms < minMs) return this.fail(this.key(name), `must be at least ${minMs} ms, not ${JSON.stringify(v)}`)
    return ms
  }

  /** A size string ("2GiB", "500MB", "4096") in bytes. */
  size (name: string): number | undefined {
    const v = this.value(name)
    if (v === undefined) return undefined
    const describe = 'a size such as "2GiB", "500MB" or "4096"'
    if (typeof v !== 'string') return this.fail(this.key(name), `must be ${describe} (in quotes), not ${typeName(v)}`)
    try {
      return parseSize(v, name)
    } catch {
      return this.fail(this.key(name), `must be ${describe}, not ${JSON.stringify(v)}`)
    }
  }

  oneOf<T extends string> (name: string, values: readonly T[]): T | undefined {
    const v = this.value(name)
    if (v === undefined) return undefined
    if (typeof v !== 'string' || !(values as readonly string[]).includes(v)) {
      return this.fail(this.key(name), `must be one of ${values.join(', ')}, not ${typeof v === 'string' ? JSON.stringify(v) : typeName(v)}`)
    }
    return v as T
  }

  boolean (name: string): boolean | undefined {
    const v = this.value(name)
    if (v === undefined) return undefined
    if (typeof v !== 'boolean') return this.fail(this.key(name), `must be true or false, not ${typeName(v)}`)
    return v
  }

  absolutePath (name: string): string | undefined {
    const v = this.string(name, ABSOLUTE_PATH)
    return v === undefined ? undefined : normalizeAbsolute(v)
  }

  requiredAbsolutePath (name: string): string {
    return this.absolutePath(name) ?? this.missing(name, ABSOLUTE_PATH.describe)
  }

  absolutePaths (name: string, options: { nonEmpty?: boolean } = {}): string[] | undefined {
    return this.stringList(name, ABSOLUTE_PATH, options)?.map(normalizeAbsolute)
  }

  /** A sub-table ([job.source] or an inline { ... }). */
  table (name: string): ConfigTable | undefined {
    const v = this.value(name)
    if (v === undefined) return undefined
    return ConfigTable.of(v, this.key(name), this.key(name), this.fail)
  }

  requiredTable (name: string, what: string): ConfigTable {
    return this.table(name) ?? this.missing(name, what)
  }

  /**
   * Refuses every key nobody asked for, suggesting the closest known key; `where` says which
   * keys exist here ("for a postgres database"), `problem` replaces "is not a known key".
   */
  finish (options: { where?: string, problem?: string } = {}): void {
    for (const name of Object.keys(this.raw)) {
      if (this.asked.has(name)) continue
      if (options.problem !== undefined) this.fail(this.key(name), options.problem)
      const typo = closest(name, this.asked)
      const hint = typo === undefined ? '' : ` (did you mean ${this.key(typo)}?)`
      this.fail(this.key(name), `is not a known key${options.where === undefined ? '' : ` ${options.where}`}${hint}`)
    }
  }
}
