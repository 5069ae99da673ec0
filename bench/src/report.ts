import type { MachineInfo } from './machine.js'
import type { StageResult } from './measure.js'

/** The JSON a run prints with --json and writes with --out. */
export interface BenchReport<R = StageResult[]> {
  scenario: string
  quick: boolean
  startedAt: string
  machine: MachineInfo
  results: R
}
