import type { TimedRun } from '../process/timed-run.js'

/** The backup tools resilien is compared with, on the same data in the same run. */
export type PeerName = 'restic' | 'borg'

/** What a peer's backup says of itself (its own counters, kept beside the measured figures). */
export type PeerSummary = Record<string, number>

/** A peer's repository in the bench's temp folder, driven through its command line. */
export interface PeerTool {
  readonly name: PeerName
  readonly version: string
  /** How it compresses, in words: the figures are only comparable knowing it. */
  readonly compression: string
  /** Its encryption, in words. */
  readonly encryption: string
  /** The repository folder (its growth is the bytes stored). */
  readonly repoDir: string
  /** Hears the pid of each command as it starts (the memory timeline samples it). */
  onCommandStart: ((pid: number) => void) | undefined
  backup (paths: readonly string[]): Promise<{ run: TimedRun, summary?: PeerSummary }>
  /** Restores the latest backup into `target` (the paths appear under it as absolute paths). */
  restore (target: string): Promise<TimedRun>
}

/** Which peers a run compares with. */
export interface PeerChoice {
  restic: boolean
  borg: boolean
}

/** Keeps the numeric fields `keys` of a tool's JSON summary. */
export function pickNumbers (source: object | undefined, keys: readonly string[]): PeerSummary | undefined {
  if (source === undefined) return undefined
  const out: PeerSummary = {}
  for (const k of keys) {
    const v = (source as Record<string, unknown>)[k]
    if (typeof v === 'number') out[k] = v
  }
  return out
}
