import type { TreeStats } from '../dataset/index.js'

/** Figures shared by every scenario that compares resilien with restic. */

/** The tree the tools back up: where it came from, and day 0's size. */
export interface DatasetInfo {
  source: string
  seed: number
  filesScale: number
  day0: TreeStats & { generateSeconds: number }
}

/** What one tool did in one phase. */
export interface PhaseFigures {
  /** Bytes of the source tree (the MB/s denominator). */
  sourceBytes: number
  /** Wall time as the user waits for it, CLI start included. */
  seconds: number
  mbPerSecond: number
  /** resilien: every site node + the CLI; restic: its process. */
  cpuSeconds: number
  /** resilien: the site node's VmHWM during the phase (several nodes: the largest); restic: its max RSS. */
  peakRssBytes: number
  /** Growth of what the repository keeps: resilien's shards (status), restic's repo folder. */
  storedBytes?: number
  /** resilien: bytes of new chunks before and after compression (the backup's stats). */
  newBytes?: number
  packedBytes?: number
  /** resilien: growth of the whole data dir (shards, catalog, index, cache). */
  dataDirBytes?: number
  /** Bytes sent over TCP between sites (every node's socket counters); undefined for a local repository. */
  sentBytes?: number
  /** CPU seconds of each process (node names, `cli`, the peer's name). */
  cpuByProcessSeconds?: Record<string, number>
  /** Peak RSS of each process: each node's VmHWM, the CLI's and a peer's max RSS (GNU time). */
  peakRssByProcessBytes?: Record<string, number>
  /** Anything else worth keeping (the tool's own figures). */
  notes?: Record<string, number | string>
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
