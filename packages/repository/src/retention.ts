import { InvalidInputError, splitTags, tagsOf } from '@resilien/types'

/** How many snapshots of each kind to keep (restic's and borg's rules). */
export interface RetentionPolicy {
  last?: number
  hourly?: number
  daily?: number
  weekly?: number
  monthly?: number
  yearly?: number
  /** Keep every snapshot newer than the newest minus this many milliseconds. */
  withinMs?: number
  /**
   * Keep every snapshot carrying all the tags of one of these lists, each comma-separated as
   * restic's --keep-tag: `['a,b', 'c']` keeps snapshots tagged both a and b, or c.
   */
  tags?: string[]
}

export interface RetentionCandidate {
  id: string
  time: Date
  host: string
  paths: readonly string[]
  tags: readonly string[]
}

export interface RetentionDecision<T extends RetentionCandidate> {
  keep: Array<{ snapshot: T, reasons: string[] }>
  remove: T[]
}

type Bucketer = (d: Date) => string
const pad = (n: number, width = 2): string => String(n).padStart(width, '0')

/** ISO 8601 week: weeks start on Monday; week 1 holds the year's first Thursday. */
function isoWeek (d: Date): string {
  const day = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate()))
  const weekday = (day.getUTCDay() + 6) % 7
  day.setUTCDate(day.getUTCDate() - weekday + 3)
  const firstThursday = new Date(Date.UTC(day.getUTCFullYear(), 0, 4))
  const week = 1 + Math.round(((day.getTime() - firstThursday.getTime()) / 86_400_000 - 3 + ((firstThursday.getUTCDay() + 6) % 7)) / 7)
  return `${day.getUTCFullYear()}-W${pad(week)}`
}

/** Calendar buckets, in UTC so every site computes the same answer. */
const BUCKETS: Array<[keyof RetentionPolicy, Bucketer]> = [
  ['hourly', (d) => `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}T${pad(d.getUTCHours())}`],
  ['daily', (d) => `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`],
  ['weekly', isoWeek],
  ['monthly', (d) => `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}`],
  ['yearly', (d) => String(d.getUTCFullYear())]
]

function count (value: number | undefined, name: string): number {
  if (value === undefined) return 0
  if (!Number.isSafeInteger(value) || value < 0) throw new InvalidInputError(`--keep-${name} must be a whole number >= 0`)
  return value
}

/**
 * Which snapshots a policy keeps. Snapshots are grouped by host and paths (each backup job is
 * its own series) and each group is judged alone, newest first: `last` keeps the n newest; each
 * calendar rule keeps the newest snapshot of each of its n most recent buckets that have one;
 * `withinMs` and `tags` keep by time and tag. A snapshot is kept if any rule keeps it. A policy
 * that keeps nothing is refused: forgetting every snapshot is never what a typo meant.
 */
export function applyRetention<T extends RetentionCandidate> (snapshots: readonly T[], policy: RetentionPolicy): RetentionDecision<T> {
  const last = count(policy.last, 'last')
  const rules = BUCKETS.map(([name, bucket]) => ({ name, bucket, n: count(policy[name] as number | undefined, name) }))
  const within = policy.withinMs ?? 0
  const tagLists = (policy.tags ?? []).map(splitTags).filter((list) => list.length > 0)
  if (last === 0 && rules.every((r) => r.n === 0) && within <= 0 && tagLists.length === 0) {
    throw new InvalidInputError('no --keep-* option given: forget needs a policy that keeps something')
  }
  const groups = new Map<string, T[]>()
  for (const s of snapshots) {
    const key = JSON.stringify([s.host, [...s.paths].sort()])
    const list = groups.get(key) ?? []
    list.push(s)
    groups.set(key, list)
  }
  const decision: RetentionDecision<T> = { keep: [], remove: [] }
  for (const group of groups.values()) {
    group.sort((a, b) => b.time.getTime() - a.time.getTime() || (a.id < b.id ? -1 : 1))
    const newest = group[0]?.time.getTime() ?? 0
    const seen = rules.map(() => ({ buckets: 0, lastBucket: '' }))
    group.forEach((s, i) => {
      const reasons: string[] = []
      if (i < last) reasons.push('last')
      rules.forEach((rule, r) => {
        const state = seen[r] as { buckets: number, lastBucket: string }
        if (state.buckets >= rule.n) return
        const bucket = rule.bucket(s.time)
        if (bucket === state.lastBucket) return
        state.lastBucket = bucket
        state.buckets++
        reasons.push(rule.name)
      })
      if (within > 0 && newest - s.time.getTime() <= within) reasons.push('within')
      const tags = tagsOf(s)
      if (tagLists.some((list) => list.every((tag) => tags.includes(tag)))) reasons.push('tag')
      if (reasons.length > 0) decision.keep.push({ snapshot: s, reasons })
      else decision.remove.push(s)
    })
  }
  return decision
}
