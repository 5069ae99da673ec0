import type { MutationSummary, TreeStats } from '../dataset/index.js'

/** What one tool did in one phase. */
export interface PhaseFigures {
  /** Bytes of the source tree (the MB/s denominator). */
  sourceBytes: number
  /** Wall time as the user waits for it, CLI start included. */
  seconds: number
  mbPerSecond: number
  /** resilien: site node + CLI; restic: its process. */
  cpuSeconds: number
  /** resilien: the site node's VmHWM during the phase; restic: its max RSS. */
  peakRssBytes: number
  /** Growth of what the repository keeps: resilien's shards (status), restic's repo folder. */
  storedBytes?: number
  /** resilien: bytes of new chunks before and after compression (the backup's stats). */
  newBytes?: number
  packedBytes?: number
  /** resilien: growth of the whole data dir (shards, catalog, index, cache). */
  dataDirBytes?: number
  /** Anything else worth keeping (the tool's own figures). */
  notes?: Record<string, number | string>
}

export type PhaseName = 'firstBackup' | 'unchangedBackup' | 'nextDayBackup' | 'restore'
export type ToolPhases = Partial<Record<PhaseName, PhaseFigures>>

export interface ScaleCheck {
  factor: number
  /** The node's peak RSS in a first backup into a fresh site, at 1x and at factor x the data. */
  sizes: number[]
  peakRssBytes: number[]
  mbPerSecond: number[]
  note: string
}

export interface TargetCheck {
  name: string
  ours: number
  theirs?: number
  ratio?: number
  target: string
  /** undefined when it could not be decided (no restic, phase skipped). */
  met: boolean | undefined
}

export interface SingleSiteResult {
  dataset: {
    source: string
    seed: number
    filesScale: number
    day0: TreeStats & { generateSeconds: number }
    day1?: TreeStats & { writtenBytes: number, mutateSeconds: number, summary?: MutationSummary }
  }
  resilien: ToolPhases & { repoCreateSeconds: number, idleRssBytes: number, restoreDifferences: string[] }
  restic?: ToolPhases & { version: string }
  scale?: ScaleCheck
  targets: TargetCheck[]
  warnings: string[]
}
