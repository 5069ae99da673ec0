import { Cron } from 'croner'
import { InvalidInputError } from '@resilien/types'

/** When a job (or its prune) runs: a cron expression, read in a time zone. */
export interface ScheduleSpec {
  /**
   * Five fields (minute hour day-of-month month day-of-week), six with leading seconds, or a
   * nickname (@hourly, @daily, @weekly, @monthly, @yearly). Day of month and day of week are
   * OR-ed when both are restricted, as in Vixie cron.
   */
  cron: string
  /** IANA zone such as Europe/Berlin; undefined: the node's local time zone. */
  timezone?: string
}

/**
 * A Cron without a callback only computes dates: it starts no timer, so these functions are pure
 * and take the clock as an argument (the runner owns the timers; tests use fixed dates).
 */
function cronOf (spec: ScheduleSpec): Cron {
  return new Cron(spec.cron, { mode: '5-or-6-parts', ...(spec.timezone === undefined ? {} : { timezone: spec.timezone }) })
}

/** True when `zone` is an IANA time zone this Node knows. */
export function isTimeZone (zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone })
    return true
  } catch {
    return false
  }
}

/**
 * Throws an InvalidInputError saying what is wrong with the schedule: a malformed expression, an
 * unknown time zone, or an expression that never matches (February 30).
 */
export function checkSchedule (spec: ScheduleSpec): void {
  if (spec.timezone !== undefined && !isTimeZone(spec.timezone)) {
    throw new InvalidInputError(`"${spec.timezone}" is not a known time zone (e.g. Europe/Berlin, UTC)`)
  }
  const fields = spec.cron.trim().split(/\s+/).length
  if (!spec.cron.trim().startsWith('@') && fields !== 5 && fields !== 6) {
    throw new InvalidInputError(`"${spec.cron}" has ${fields} fields: a cron expression has 5 (minute hour day-of-month month day-of-week), or 6 with seconds first`)
  }
  let cron: Cron
  try {
    cron = cronOf(spec)
  } catch (err) {
    throw new InvalidInputError(`"${spec.cron}" is not a cron expression: ${(err as Error).message.replace(/^CronPattern: /, '')}`)
  }
  // The Gregorian calendar repeats every 400 years, so a pattern with no match after 1970 has none at all.
  if (cron.nextRun(new Date(0)) === null) throw new InvalidInputError(`"${spec.cron}" never matches a date`)
}

/** The first scheduled time strictly after `after` (whole seconds). */
export function nextRun (spec: ScheduleSpec, after: Date): Date {
  const next = cronOf(spec).nextRun(after)
  if (next === null) throw new InvalidInputError(`"${spec.cron}" never matches a date after ${after.toISOString()}`)
  return next
}

/**
 * True when a scheduled time fell after `lastRunAt` and at or before `now`: the node was down
 * (or busy) when it came, and the job should run once now. A job that never ran has missed
 * nothing: it first runs at its next scheduled time (or with `resilien jobs run`).
 */
export function missedRun (spec: ScheduleSpec, lastRunAt: Date | undefined, now: Date): boolean {
  if (lastRunAt === undefined || lastRunAt.getTime() >= now.getTime()) return false
  return nextRun(spec, lastRunAt).getTime() <= now.getTime()
}
