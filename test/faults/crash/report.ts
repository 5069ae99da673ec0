import type { Operation } from './crash-points.js'
import { AFTER_THE_END, describeSchedule, describeTimeline, guessPhase } from './phases.js'
import type { KillSchedule, Timeline } from './phases.js'
import type { Site } from '../../src/index.js'
import { logLines } from './cluster-checks.js'
import type { ScheduledKill } from './scheduled-kill.js'

/** What happened at one crash point; filled in as the point goes, so a failure keeps what was seen. */
export interface PointReport {
  index: number
  fraction: number
  /** Where the fraction lies in the reference run (ms after its start), and the schedule that aims at the same place in this run. */
  plannedMs: number
  schedule: KillSchedule
  /** The kill comes by the clock at the latest this many ms after the start. */
  capMs: number
  /** When the kill happened, ms after the operation started, and whether the schedule fired it (not the cap or the end). */
  killMs?: number
  onSchedule?: boolean
  /** The node killed (repair picks a survivor). */
  victim?: string
  phase?: string
  /** Shard puts started between the operation's start and the kill, on every site. */
  putsBeforeKill?: number
  /** Exit code of the killed command (backup, forget); undefined for repair (no command runs). */
  exit?: number
  /** The killed node came up again after this many ms. */
  restartMs?: number
  /** From the kill until every check passed and the operation was run again to completion. */
  recoverMs?: number
  /** check --read-data was clean only after this many ms of retries (0: at once). */
  checkSettleMs?: number
  /** Did this point restore and compare snapshots. */
  restored?: boolean
  outcome: 'ok' | 'failed'
  problem?: string
  /** The killed node's last lines before the kill, and its lines since the restart on a failure. */
  log?: string[]
}

/**
 * Writes what a kill did into the point's report: its time and whether the schedule fired it,
 * the shard puts before it, the phase of the reference run it hit, and the victim's last lines.
 */
export function recordKill (report: PointReport, operation: Operation, reference: Timeline, victim: Site, logFrom: number, kill: ScheduledKill, acknowledged: boolean): void {
  report.victim = victim.name
  report.killMs = kill.killMs
  report.onSchedule = kill.onSchedule
  report.putsBeforeKill = kill.putTimes.length
  report.phase = guessPhase(operation, reference, { ...kill, putsBeforeKill: kill.putTimes.length, acknowledged })
  report.log = logLines(victim, logFrom, 3)
}

export interface OperationReport {
  operation: Operation
  seed: number
  points: PointReport[]
  /** The reference run of each cluster the operation used (one, or one more after each failure with keepGoing). */
  references: Timeline[]
  seconds: number
  /** The last checks (restores) after the points, when they failed. */
  finalProblem?: string
}

function median (values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b)
  return sorted.length === 0 ? NaN : sorted[Math.floor(sorted.length / 2)] as number
}

const seconds = (ms: number | undefined): string => ms === undefined ? '-' : `${(ms / 1000).toFixed(1)} s`

/** The report of one operation as text: a headline, phases hit, recovery times, one line per point. */
export function formatOperation (r: OperationReport): string {
  const failed = r.points.filter((p) => p.outcome === 'failed')
  const phases = new Map<string, number>()
  for (const p of r.points) phases.set(p.phase ?? '?', (phases.get(p.phase ?? '?') ?? 0) + 1)
  const restarts = r.points.flatMap((p) => p.restartMs === undefined ? [] : [p.restartMs])
  const recoveries = r.points.flatMap((p) => p.recoverMs === undefined ? [] : [p.recoverMs])
  const settled = r.points.filter((p) => (p.checkSettleMs ?? 0) > 0).length
  const lines = [
    `${r.operation} (seed ${r.seed}): ${r.points.length} points in ${r.seconds.toFixed(0)} s, ${r.points.length - failed.length} ok, ${failed.length} failed${r.finalProblem === undefined ? '' : ', final checks FAILED'}`,
    `  reference: ${r.references.map(describeTimeline).join('; ')}`,
    `  phases: ${[...phases].map(([name, n]) => `${name} ${n}`).join('; ')}`,
    `  restart: median ${seconds(median(restarts))}, max ${seconds(Math.max(...restarts, 0))}; recovery: median ${seconds(median(recoveries))}, max ${seconds(Math.max(...recoveries, 0))}; check clean only after retries: ${settled}`,
    '  point fraction  schedule              kill ms  victim  exit  puts  restart  recover  outcome  phase'
  ]
  for (const p of r.points) {
    lines.push(`  ${String(p.index).padStart(5)} ${p.fraction.toFixed(3).padStart(8)}  ${describeSchedule(p.schedule).padEnd(19)}${p.onSchedule === false ? '*' : ' '}${String(p.killMs?.toFixed(0) ?? '-').padStart(8)}  ${(p.victim ?? '-').padEnd(6)} ${String(p.exit ?? '-').padStart(5)} ${String(p.putsBeforeKill ?? '-').padStart(5)} ${seconds(p.restartMs).padStart(8)} ${seconds(p.recoverMs).padStart(8)}  ${p.outcome.padEnd(7)}  ${p.phase ?? '?'}${p.restored === true ? ' [restored]' : ''}`)
  }
  if (r.points.some((p) => p.onSchedule === false)) lines.push('  (*: the kill came by the time cap or at the end of the run, not on its schedule)')
  if (r.points.some((p) => p.phase === AFTER_THE_END)) lines.push(`  ("${AFTER_THE_END}": the run was quicker than the reference; the kill hit the idle node)`)
  if (r.finalProblem !== undefined) lines.push(`  final checks: ${r.finalProblem}`)
  return lines.join('\n')
}
