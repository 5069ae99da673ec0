import type { Operation } from './crash-points.js'

/** What the uninterrupted reference run of an operation looked like, in ms after it started. */
export interface Timeline {
  durationMs: number
  /** The shard puts the run started, ms after its start (none: e.g. a prune that repacks nothing). */
  putTimes: number[]
}

/**
 * The three phases of each operation as the shard puts show them from outside: before the first
 * put, while puts go on, after the last one. The names say what the node does then (see
 * DESIGN.md's data path, prune.ts and repair.ts).
 */
export const PHASES: Record<Operation, readonly [string, string, string]> = {
  backup: ['start: connect, open, scan, read and seal the first pack', 'read, seal and shard puts', 'commit: index objects, snapshot fact, replication'],
  prune: ['forget facts, index sync, mark and sweep', 'repack: shard puts of new packs', 'pack-deleted facts and the end'],
  repair: ['site lost: wait for a pass, fetch k shards, rebuild', 'rebuilt shard puts and shard-moved facts', 'replication of the facts until healed']
}
export const AFTER_THE_END = 'after the end (the operation had finished)'

/** Uninterrupted runs of backup and prune before the points; the shorter one is the reference. */
export const REFERENCE_RUNS = 2

/** The shorter of two reference runs: on a shared machine one run can take twice as long as the next, and a slow reference puts late points after the end. */
export function shorter (a: Timeline | undefined, b: Timeline): Timeline {
  return a === undefined || b.durationMs < a.durationMs ? b : a
}

/** The reference's phases as windows [from, to] in ms: before, during and after its puts (one window without puts). */
export function phaseWindows (t: Timeline): Array<readonly [number, number]> {
  const first = t.putTimes[0]
  const last = t.putTimes[t.putTimes.length - 1]
  if (first === undefined || last === undefined) return [[0, t.durationMs]]
  return [[0, first], [first, last], [last, t.durationMs]]
}

/**
 * When to kill, relative to what the run does rather than to the clock alone: `delayMs` after the
 * run's `afterPuts`-th shard put (after its start for 0). A fraction of the reference maps to the
 * same place in a run that is slower or quicker on a shared machine: the commit after the last
 * put lasts a tenth of a second, much less than runs differ by.
 */
export interface KillSchedule {
  afterPuts: number
  delayMs: number
}

/** The schedule of a kill at `atMs` of the reference: the puts it had made by then, and the time since the last of them. */
export function scheduleAt (reference: Timeline, atMs: number): KillSchedule {
  const before = reference.putTimes.filter((t) => t <= atMs)
  const last = before[before.length - 1]
  return { afterPuts: before.length, delayMs: atMs - (last ?? 0) }
}

export function describeSchedule (s: KillSchedule): string {
  return s.afterPuts === 0 ? `start + ${s.delayMs.toFixed(0)} ms` : `put ${s.afterPuts} + ${s.delayMs.toFixed(0)} ms`
}

export interface KillEvidence {
  /** The run had ended (its command exited, the cluster was healed) before the kill. */
  finished: boolean
  /** Its command had reported success (the reply left the node before the kill). */
  acknowledged: boolean
  putsBeforeKill: number
  killMs: number
}

/**
 * A guess at the phase a run was killed in, from what it had done by then (the node logs nothing
 * per phase): ended or acknowledged, the end; no put yet, the first phase (except for a prune
 * killed past the reference's puts: it repacked nothing); as many puts as the whole reference,
 * the last; otherwise the middle. The schedule aims at a phase, but a slow or quick run can land
 * next to it.
 */
export function guessPhase (operation: Operation, reference: Timeline, e: KillEvidence): string {
  const [first, middle, last] = PHASES[operation]
  if (e.finished) return AFTER_THE_END
  if (e.acknowledged) return last
  const referencePuts = reference.putTimes.length
  const lastPut = reference.putTimes[referencePuts - 1]
  if (e.putsBeforeKill === 0) return operation === 'prune' && lastPut !== undefined && e.killMs > lastPut ? last : first
  return e.putsBeforeKill >= referencePuts ? last : middle
}

export function describeTimeline (t: Timeline): string {
  const first = t.putTimes[0]
  const last = t.putTimes[t.putTimes.length - 1]
  if (first === undefined || last === undefined) return `${t.durationMs.toFixed(0)} ms, no shard put`
  return `${t.durationMs.toFixed(0)} ms; ${t.putTimes.length} shard puts from ${first.toFixed(0)} to ${last.toFixed(0)} ms`
}
