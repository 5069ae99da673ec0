import { Random } from '../random.js'
import { phaseWindows } from './phases.js'
import type { Timeline } from './phases.js'

/** Kill points stay this far from both ends of the reference run: the very start and the very end are covered by other tests. */
export const FIRST_FRACTION = 0.02
export const LAST_FRACTION = 0.98
/** Phases a run is split into (before, during and after its shard puts; see phases.ts). */
const PHASE_COUNT = 3

export type Operation = 'backup' | 'prune' | 'repair'
export const OPERATIONS: readonly Operation[] = ['backup', 'prune', 'repair']

/** One seeded crash point. */
export interface CrashPoint {
  /** Its number under (seed, operation, count): what `--only` replays. */
  index: number
  /** The phase of the reference it aims at (0, 1, 2), and where in that phase, from 0 to 1. */
  phase: number
  position: number
  /** The point's own generator (its tree mutation, which node dies): the same for the same (seed, operation, index). */
  random: Random
}

/**
 * The kill points of `count` runs of `operation`: the phases (before, during and after the shard
 * puts) take turns in a seeded order, and each point lies at a seeded position in its phase.
 * Phases rather than plain fractions of the run because the phases are far from equal: the start
 * of a backup takes half of it, its commit a twentieth, and uniform fractions would leave the
 * commit out of most runs.
 */
export function crashPoints (seed: number, operation: Operation, count: number): CrashPoint[] {
  const order = Random.forCase(seed, `crash:${operation}:order`, count)
  const phases = Array.from({ length: count }, (_, i) => i % PHASE_COUNT)
  for (let i = phases.length - 1; i > 0; i--) {
    const j = order.int(0, i)
    const swap = phases[i] as number
    phases[i] = phases[j] as number
    phases[j] = swap
  }
  return phases.map((phase, index) => {
    const random = Random.forCase(seed, `crash:${operation}`, index)
    return { index, phase, position: random.next() / 2 ** 32, random }
  })
}

/** The point's fraction of the reference run: its position in its phase's window, kept within [FIRST_FRACTION, LAST_FRACTION]. */
export function fractionOf (point: CrashPoint, reference: Timeline): number {
  const windows = phaseWindows(reference)
  const [from, to] = windows[point.phase % windows.length] as readonly [number, number]
  const at = (from + point.position * (to - from)) / reference.durationMs
  return Math.min(LAST_FRACTION, Math.max(FIRST_FRACTION, at))
}

/** The generator of an operation's set-up (its cluster's data), the same for every point count. */
export function setUpRandom (seed: number, operation: Operation): Random {
  return Random.forCase(seed, `crash:${operation}:set-up`, 0)
}
