import type { TestContext } from '../../src/index.js'
import { backupCrashes } from './backup-crashes.js'
import { crashPoints, fractionOf, OPERATIONS } from './crash-points.js'
import type { Operation } from './crash-points.js'
import { describeSchedule, scheduleAt } from './phases.js'
import type { Timeline } from './phases.js'
import { pruneCrashes } from './prune-crashes.js'
import { repairCrashes } from './repair-crashes.js'
import { formatOperation } from './report.js'
import { TIME_CAP_FACTOR } from './scheduled-kill.js'
import type { OperationReport, PointReport } from './report.js'
import type { CrashScenario, ScenarioFactory } from './scenario.js'
import { Scope } from './scope.js'
import { FULL_TREE, SHORT_TREE } from './source-tree.js'

/** Snapshots are restored and compared at every this many points, and at the last. */
export const DEFAULT_RESTORE_EVERY = 5
/** Lines of the killed node's log a failure carries. */
const FAILURE_LOG_LINES = 30

const SCENARIOS: Record<Operation, ScenarioFactory> = { backup: backupCrashes, prune: pruneCrashes, repair: repairCrashes }

export interface CrashSuiteOptions {
  operation: Operation | 'all'
  seed: number
  /** Kill points per operation (they split the run into this many slices: keep it to replay a point). */
  points: number
  /** Run only this point (after the same set-up): a replay. */
  only?: number
  /** The source tree: 'full' (about 26 MiB, the default) or 'short' (about 6 MiB, the default suite). */
  tree?: 'short' | 'full'
  restoreEvery?: number
  /** After a failed point, go on with the next on a fresh cluster (default: that operation stops). */
  keepGoing?: boolean
  /** Progress lines (default: console.log). */
  log?: (line: string) => void
  /** The clusters are also cleaned up with this context, should the suite be interrupted. */
  context?: TestContext
}

/** A broken promise at one point, with the command that replays it. */
export class CrashFailure extends Error {
  constructor (readonly operation: Operation, readonly seed: number, readonly index: number | 'set-up' | 'final checks', readonly replay: string, message: string) {
    super(`${operation} ${typeof index === 'number' ? `point ${index}` : index} (seed ${seed}): ${message}\nreplay: ${replay}`)
    this.name = 'CrashFailure'
  }
}

export interface CrashSuiteReport {
  seed: number
  operations: OperationReport[]
  failures: CrashFailure[]
  /** Every operation's report and every failure, as text. */
  summary: string
}

export function replayCommand (operation: Operation, seed: number, points: number, only?: number, tree: 'short' | 'full' = 'full'): string {
  return `node test/dist/faults/crash/run.js --operation ${operation} --seed ${seed} --points ${points}${only === undefined ? '' : ` --only ${only}`}${tree === 'full' ? '' : ` --tree ${tree}`}`
}

function describePoint (operation: Operation, p: PointReport, reference: Timeline): string {
  const head = `${operation} point ${p.index}: kill at ${p.fraction.toFixed(3)} of ${(reference.durationMs / 1000).toFixed(1)} s (${describeSchedule(p.schedule)})`
  if (p.outcome === 'failed') return `${head}: FAILED (${p.phase ?? 'before the kill'}): ${p.problem ?? ''}`
  return `${head}: ${p.onSchedule === true ? 'on schedule' : 'by the cap or at the end'} at ${p.killMs?.toFixed(0) ?? '?'} ms, ${p.victim ?? '?'} in "${p.phase ?? '?'}" (${p.putsBeforeKill ?? 0} puts)${p.exit === undefined ? '' : `, exit ${p.exit}`}; restart ${((p.restartMs ?? 0) / 1000).toFixed(1)} s, recovered in ${((p.recoverMs ?? 0) / 1000).toFixed(1)} s${(p.checkSettleMs ?? 0) > 0 ? `, check clean only after ${((p.checkSettleMs ?? 0) / 1000).toFixed(1)} s` : ''}${p.restored === true ? ', restored' : ''}: ok`
}

async function runOperation (operation: Operation, options: CrashSuiteOptions, failures: CrashFailure[]): Promise<OperationReport> {
  const log = options.log ?? ((line: string) => { console.log(line) })
  const tree = options.tree ?? 'full'
  const restoreEvery = options.restoreEvery ?? DEFAULT_RESTORE_EVERY
  const started = performance.now()
  const report: OperationReport = { operation, seed: options.seed, points: [], references: [], seconds: 0 }
  const fail = (index: number | 'set-up' | 'final checks', err: unknown): CrashFailure => {
    const failure = new CrashFailure(operation, options.seed, index, replayCommand(operation, options.seed, options.points, typeof index === 'number' ? index : undefined, tree), err instanceof Error ? err.message : String(err))
    failures.push(failure)
    log(failure.message)
    return failure
  }
  const points = crashPoints(options.seed, operation, options.points).filter((p) => options.only === undefined || p.index === options.only)
  let scope: Scope | undefined
  let scenario: CrashScenario | undefined
  let reference: Timeline | undefined
  const fresh = async (): Promise<boolean> => {
    await scope?.close()
    scope = new Scope()
    const current = scope
    options.context?.after(async () => { await current.close() })
    scenario = SCENARIOS[operation]({ scope, seed: options.seed, tree: tree === 'short' ? SHORT_TREE : FULL_TREE, log })
    try {
      reference = await scenario.setUp()
    } catch (err) {
      fail('set-up', err)
      return false
    }
    report.references.push(reference)
    log(`${operation}: reference run ${(reference.durationMs / 1000).toFixed(1)} s, ${reference.putTimes.length} shard puts`)
    return true
  }
  try {
    let healthy = await fresh()
    for (const [position, point] of points.entries()) {
      if (!healthy) {
        if (options.keepGoing !== true) break
        healthy = await fresh()
        if (!healthy) break
      }
      const at = reference as Timeline
      const fraction = fractionOf(point, at)
      const plannedMs = fraction * at.durationMs
      const p: PointReport = { index: point.index, fraction, plannedMs, schedule: scheduleAt(at, plannedMs), capMs: plannedMs * TIME_CAP_FACTOR, outcome: 'ok' }
      report.points.push(p)
      const restore = (position + 1) % restoreEvery === 0 || position === points.length - 1
      try {
        await (scenario as CrashScenario).point(point, p, restore)
      } catch (err) {
        p.outcome = 'failed'
        p.problem = (err as Error).message
        if (p.victim !== undefined) p.log = (scenario as CrashScenario).nodeLog(p.victim).split('\n').filter((l) => l.trim() !== '').slice(-FAILURE_LOG_LINES)
        healthy = false
        fail(point.index, new Error(`${(err as Error).message}\nkill at ${p.killMs?.toFixed(0) ?? '-'} ms (${describeSchedule(p.schedule)}, cap ${p.capMs.toFixed(0)} ms) of ${p.victim ?? '-'}, phase: ${p.phase ?? '-'}\n${p.victim ?? 'the'} node's log (last lines):\n${(p.log ?? []).join('\n')}`))
      }
      log(describePoint(operation, p, at))
    }
    if (healthy && scenario !== undefined) {
      try {
        await scenario.finish()
      } catch (err) {
        report.finalProblem = (err as Error).message
        fail('final checks', err)
      }
    }
  } finally {
    await scope?.close()
    report.seconds = (performance.now() - started) / 1000
  }
  return report
}

/**
 * kill -9 at seeded points of backup, prune and repair (see README.md). Returns the report of
 * every operation; a broken promise is in `failures` with its replay command, not thrown.
 */
export async function runCrashSuite (options: CrashSuiteOptions): Promise<CrashSuiteReport> {
  if (!Number.isSafeInteger(options.points) || options.points < 1) throw new RangeError('points must be a whole number of at least 1')
  const operations = options.operation === 'all' ? OPERATIONS : [options.operation]
  const failures: CrashFailure[] = []
  const reports: OperationReport[] = []
  for (const operation of operations) reports.push(await runOperation(operation, options, failures))
  const summary = [
    `crash suite, seed ${options.seed}, ${options.points} points per operation${options.only === undefined ? '' : ` (only point ${options.only})`}:`,
    ...reports.map(formatOperation),
    ...(failures.length === 0 ? ['no failures'] : [`${failures.length} failures:`, ...failures.map((f) => `- ${f.message.split('\n')[0] ?? ''}\n  replay: ${f.replay}`)])
  ].join('\n')
  return { seed: options.seed, operations: reports, failures, summary }
}
