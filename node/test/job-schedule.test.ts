import { test } from 'node:test'
import assert from 'node:assert/strict'
import { checkSchedule, missedRun, nextRun } from '../src/jobs/schedule.js'
import type { ScheduleSpec } from '../src/jobs/schedule.js'

const at = (iso: string): Date => new Date(iso)
const BERLIN = 'Europe/Berlin'

test('the next run is strictly after the given time, at whole seconds', () => {
  const daily: ScheduleSpec = { cron: '30 2 * * *', timezone: 'UTC' }
  assert.deepEqual(nextRun(daily, at('2024-01-01T00:00:00Z')), at('2024-01-01T02:30:00Z'))
  assert.deepEqual(nextRun(daily, at('2024-01-01T02:30:00Z')), at('2024-01-02T02:30:00Z'), 'a run exactly now is not the next one')
  assert.deepEqual(nextRun(daily, at('2024-01-01T02:30:00.400Z')), at('2024-01-02T02:30:00Z'))
  assert.deepEqual(nextRun(daily, at('2024-01-01T02:29:59.999Z')), at('2024-01-01T02:30:00Z'))
  assert.deepEqual(nextRun({ cron: '*/10 * * * * *', timezone: 'UTC' }, at('2024-01-01T00:00:03Z')), at('2024-01-01T00:00:10Z'), 'six fields: seconds first')
  assert.deepEqual(nextRun({ cron: '@weekly', timezone: 'UTC' }, at('2024-01-03T00:00:00Z')), at('2024-01-07T00:00:00Z'), 'Sunday midnight')
})

test('the time zone of the schedule decides the wall clock', () => {
  assert.deepEqual(nextRun({ cron: '0 3 * * *', timezone: BERLIN }, at('2024-01-15T00:00:00Z')), at('2024-01-15T02:00:00Z'), 'CET is UTC+1')
  assert.deepEqual(nextRun({ cron: '0 3 * * *', timezone: BERLIN }, at('2024-07-15T00:00:00Z')), at('2024-07-15T01:00:00Z'), 'CEST is UTC+2')
  assert.deepEqual(nextRun({ cron: '0 3 * * *', timezone: 'America/New_York' }, at('2024-07-15T00:00:00Z')), at('2024-07-15T07:00:00Z'))
})

test('across the spring DST gap a daily job runs once, right after the gap', () => {
  // 2024-03-31 in Berlin: 02:00 CET jumps to 03:00 CEST (01:00Z); 02:30 does not exist that day.
  const daily: ScheduleSpec = { cron: '30 2 * * *', timezone: BERLIN }
  assert.deepEqual(nextRun(daily, at('2024-03-30T12:00:00Z')), at('2024-03-31T01:00:00Z'))
  assert.deepEqual(nextRun(daily, at('2024-03-31T01:00:00Z')), at('2024-04-01T00:30:00Z'))
  // An interval job skips the wall-clock times that do not exist.
  const half: ScheduleSpec = { cron: '*/30 * * * *', timezone: BERLIN }
  assert.deepEqual(nextRun(half, at('2024-03-31T00:30:00Z')), at('2024-03-31T01:00:00Z'), '01:30 CET is followed by 03:00 CEST')
})

test('across the autumn DST fold a daily job runs once, an hourly job every real hour', () => {
  // 2024-10-27 in Berlin: 03:00 CEST falls back to 02:00 CET (01:00Z); 02:30 comes twice.
  const daily: ScheduleSpec = { cron: '30 2 * * *', timezone: BERLIN }
  assert.deepEqual(nextRun(daily, at('2024-10-26T12:00:00Z')), at('2024-10-27T00:30:00Z'))
  assert.deepEqual(nextRun(daily, at('2024-10-27T00:30:00Z')), at('2024-10-28T01:30:00Z'), 'not again at the second 02:30')
  const hourly: ScheduleSpec = { cron: '0 * * * *', timezone: BERLIN }
  const runs: Date[] = []
  let t = at('2024-10-26T23:30:00Z')
  for (let i = 0; i < 4; i++) runs.push(t = nextRun(hourly, t))
  assert.deepEqual(runs, [at('2024-10-27T00:00:00Z'), at('2024-10-27T01:00:00Z'), at('2024-10-27T02:00:00Z'), at('2024-10-27T03:00:00Z')])
})

test('month ends: the 31st skips short months, L is the last day, leap years count', () => {
  const on31: ScheduleSpec = { cron: '0 3 31 * *', timezone: 'UTC' }
  assert.deepEqual(nextRun(on31, at('2024-01-31T04:00:00Z')), at('2024-03-31T03:00:00Z'))
  assert.deepEqual(nextRun(on31, at('2024-03-31T04:00:00Z')), at('2024-05-31T03:00:00Z'))
  const last: ScheduleSpec = { cron: '0 3 L * *', timezone: 'UTC' }
  assert.deepEqual(nextRun(last, at('2024-01-31T04:00:00Z')), at('2024-02-29T03:00:00Z'))
  assert.deepEqual(nextRun(last, at('2023-01-31T04:00:00Z')), at('2023-02-28T03:00:00Z'))
  assert.deepEqual(nextRun({ cron: '0 0 29 2 *', timezone: 'UTC' }, at('2024-03-01T00:00:00Z')), at('2028-02-29T00:00:00Z'))
  assert.deepEqual(nextRun({ cron: '59 23 31 12 *', timezone: 'UTC' }, at('2024-12-31T23:59:00Z')), at('2025-12-31T23:59:00Z'), 'year end')
})

test('day of month and day of week are OR-ed, as in Vixie cron', () => {
  // The 13th, or any Friday: 2024-09-06 is a Friday before the 13th.
  assert.deepEqual(nextRun({ cron: '0 0 13 * 5', timezone: 'UTC' }, at('2024-09-01T00:00:00Z')), at('2024-09-06T00:00:00Z'))
})

test('a run is missed when a scheduled time fell between the last run and now', () => {
  const daily: ScheduleSpec = { cron: '30 2 * * *', timezone: 'UTC' }
  // The node was down from before 02:30 until 09:00.
  assert.equal(missedRun(daily, at('2024-01-01T02:30:05Z'), at('2024-01-02T09:00:00Z')), true)
  assert.equal(missedRun(daily, at('2024-01-01T02:30:05Z'), at('2024-01-02T02:30:00Z')), true, 'due exactly now')
  assert.equal(missedRun(daily, at('2024-01-01T02:30:05Z'), at('2024-01-02T02:29:59Z')), false)
  assert.equal(missedRun(daily, at('2024-01-01T02:30:00Z'), at('2024-01-01T23:00:00Z')), false, 'the run that was due ran')
  // Down for a week: still one missed run, not seven (the caller runs it once).
  assert.equal(missedRun(daily, at('2024-01-01T02:30:00Z'), at('2024-01-08T12:00:00Z')), true)
  assert.equal(missedRun(daily, undefined, at('2024-01-08T12:00:00Z')), false, 'a job that never ran waits for its time')
  assert.equal(missedRun(daily, at('2024-01-09T00:00:00Z'), at('2024-01-08T12:00:00Z')), false, 'a clock set back misses nothing')
})

test('missed runs across the DST gap and a month end', () => {
  const daily: ScheduleSpec = { cron: '30 2 * * *', timezone: BERLIN }
  // Last run on 30 March; the node came back at 01:30Z on 31 March: the gap's run (01:00Z) was missed.
  assert.equal(missedRun(daily, at('2024-03-30T01:30:00Z'), at('2024-03-31T01:30:00Z')), true)
  assert.equal(missedRun(daily, at('2024-03-30T01:30:00Z'), at('2024-03-31T00:59:59Z')), false)
  const monthly: ScheduleSpec = { cron: '0 3 L * *', timezone: 'UTC' }
  assert.equal(missedRun(monthly, at('2024-01-31T03:00:00Z'), at('2024-02-29T02:59:59Z')), false)
  assert.equal(missedRun(monthly, at('2024-01-31T03:00:00Z'), at('2024-03-01T00:00:00Z')), true)
})

test('checkSchedule says what is wrong: fields, values, zone, never', () => {
  assert.throws(() => checkSchedule({ cron: '0 3 * *' }), /has 4 fields/)
  assert.throws(() => checkSchedule({ cron: '0 3 * * * * *' }), /has 7 fields/)
  assert.throws(() => checkSchedule({ cron: '61 * * * *' }), /not a cron expression.*minute/i)
  assert.throws(() => checkSchedule({ cron: 'every day' }), /not a cron expression|fields/)
  assert.throws(() => checkSchedule({ cron: '0 0 30 2 *' }), /never matches/)
  assert.throws(() => checkSchedule({ cron: '0 3 * * *', timezone: 'Europe/Atlantis' }), /not a known time zone/)
  checkSchedule({ cron: '@monthly', timezone: 'UTC' })
  checkSchedule({ cron: '0 3 * * mon-fri' })
})
