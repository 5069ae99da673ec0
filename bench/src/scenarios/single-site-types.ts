import type { MutationSummary, TreeStats } from '../dataset/index.js'
import type { DatasetInfo, PhaseFigures, TargetCheck } from './phase-types.js'

export type { PhaseFigures, TargetCheck }

export type PhaseName = 'firstBackup' | 'unchangedBackup' | 'nextDayBackup' | 'restore' | 'dump'
export type ToolPhases = Partial<Record<PhaseName, PhaseFigures>>

export interface ScaleCheck {
  factor: number
  /** The node's peak RSS in a first backup into a fresh site, at 1x and at factor x the data. */
  sizes: number[]
  peakRssBytes: number[]
  mbPerSecond: number[]
  note: string
}

export interface SingleSiteResult {
  dataset: DatasetInfo & {
    day1?: TreeStats & { writtenBytes: number, mutateSeconds: number, summary?: MutationSummary }
  }
  resilien: ToolPhases & { repoCreateSeconds: number, idleRssBytes: number, restoreDifferences: string[], dumpCheck?: DumpCheck }
  restic?: ToolPhases & { version: string }
  scale?: ScaleCheck
  targets: TargetCheck[]
  warnings: string[]
}

/** The tar archives both tools' `dump` of the source folder wrote: entries as `tar -t` lists them, and bytes. */
export interface DumpCheck {
  ours: { entries: number, bytes: number }
  restic?: { entries: number, bytes: number }
}
