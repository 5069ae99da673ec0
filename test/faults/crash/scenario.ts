import type { CrashPoint } from './crash-points.js'
import type { Timeline } from './phases.js'
import type { PointReport } from './report.js'
import type { Scope } from './scope.js'
import type { TreeShape } from './source-tree.js'

/** What every operation's crash scenario is given. */
export interface ScenarioInit {
  /** Owns the cluster's processes and temp folders. */
  scope: Scope
  seed: number
  tree: TreeShape
  log: (line: string) => void
}

/**
 * One operation under crashes, on one cluster: `setUp` builds the cluster and its data and times
 * an uninterrupted run (the reference); each `point` prepares new work, runs the operation,
 * SIGKILLs a node at `report.plannedMs`, restarts it and checks the promise; `finish` restores
 * everything once more. A broken promise throws; what was seen until then stays in `report`.
 */
export interface CrashScenario {
  setUp: () => Promise<Timeline>
  /** `restore`: also restore and compare snapshots at this point (every few points and the last). */
  point: (point: CrashPoint, report: PointReport, restore: boolean) => Promise<void>
  finish: () => Promise<void>
  /** Everything the named site's node printed (for a failure's report). */
  nodeLog: (site: string) => string
}

export type ScenarioFactory = (init: ScenarioInit) => CrashScenario
