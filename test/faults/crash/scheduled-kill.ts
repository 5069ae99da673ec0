import { setTimeout as sleep } from 'node:timers/promises'
import type { Site } from '../../src/index.js'
import type { KillSchedule } from './phases.js'
import type { ShardPutProbe } from './shard-put-probe.js'

/**
 * A kill on schedule comes at the latest this many times its fraction of the reference after the
 * start: a run that is slow (or makes fewer puts than the reference) is then killed by the clock.
 */
export const TIME_CAP_FACTOR = 2

export interface ScheduledKill {
  /** When the node died, ms after the run started. */
  killMs: number
  /** The schedule fired (false: the time cap did, or the run ended first). */
  onSchedule: boolean
  /** The run had ended before the kill. */
  finished: boolean
  /** The shard puts the run started before the kill, ms after its start. */
  putTimes: number[]
}

/** Resolves at `at` (performance.now()), or never once `signal` aborts. */
async function until (at: number, signal: AbortSignal): Promise<void> {
  const wait = at - performance.now()
  if (wait > 0) await sleep(wait, undefined, { signal })
}

/**
 * SIGKILLs `site`'s node at `schedule` of the run that started at `startedAt`, at `capMs` if that
 * comes first, or as soon as the run ends (`ended` settles) if it ends before either. Returns
 * when the node is gone.
 */
export async function killOnSchedule (site: Site, probe: ShardPutProbe, startedAt: number, schedule: KillSchedule, capMs: number, ended: Promise<unknown>): Promise<ScheduledKill> {
  const controller = new AbortController()
  const { signal } = controller
  let endedAt: number | undefined
  let onSchedule = false
  // The losers of the race are aborted, not awaited: their rejections are expected.
  const quietly = async (p: Promise<unknown>): Promise<void> => { await p.then(() => {}, () => {}) }
  await Promise.race([
    quietly((async () => {
      const anchor = schedule.afterPuts === 0 ? startedAt : await probe.whenPuts(startedAt, schedule.afterPuts, signal)
      await until(anchor + schedule.delayMs, signal)
      if (!signal.aborted) onSchedule = true
    })()),
    quietly(until(startedAt + capMs, signal)),
    quietly(ended.finally(() => { endedAt = performance.now() }))
  ])
  controller.abort()
  const killMs = performance.now() - startedAt
  await site.stop('SIGKILL')
  return {
    killMs,
    onSchedule,
    finished: endedAt !== undefined && endedAt <= startedAt + killMs,
    putTimes: probe.between(startedAt, startedAt + killMs).map((t) => t - startedAt)
  }
}
