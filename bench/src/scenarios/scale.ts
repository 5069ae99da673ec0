import { tmpdir } from 'node:os'
import { describeStorage } from '../machine.js'
import { waitOutFreedInodes } from '../process/settle-disk.js'
import { runCluster } from './cluster.js'
import type { ClusterResult } from './cluster-types.js'

export interface ScaleOptions {
  /** Day 0's size at 1x. */
  size: number
  seed: number
  log: (line: string) => void
  onStep?: (name: string) => void
}

/** One cluster run of the scale scenario. */
export interface ScaleRun {
  label: string
  sizeFactor: number
  filesScale: number
  result: ClusterResult
}

export interface ScaleResult {
  baseSize: number
  runs: ScaleRun[]
}

/** Data multiples at the default file count: enough to see whether time and memory grow linearly. */
export const SCALE_SIZE_FACTORS: readonly number[] = [1, 2, 4]
/** The file count multiple at 1x the size: ten times the small files (the data set's --files-scale). */
export const SCALE_FILES_FACTOR = 10

/**
 * The cluster scenario (resilien only, no peers) at 1x, 2x and 4x the size, then at 1x the size
 * with ten times the files: each on fresh sites, with its data set generated anew.
 */
export async function runScale (options: ScaleOptions): Promise<ScaleResult> {
  const configs = [
    ...SCALE_SIZE_FACTORS.map((f) => ({ label: `${f}x`, sizeFactor: f, filesScale: 1 })),
    { label: `1x, files x${SCALE_FILES_FACTOR}`, sizeFactor: 1, filesScale: SCALE_FILES_FACTOR }
  ]
  const runs: ScaleRun[] = []
  // Each run deletes its tree and sites at its end. Where that slows the next run's creates
  // (ext4 without a journal: see storageNote), each run first waits it out, so that the rows
  // compare sizes, not how recently the previous one cleaned up.
  const slowAfterDeletes = describeStorage()?.note !== undefined
  let deletedAt = Date.now()
  for (const c of configs) {
    if (slowAfterDeletes) {
      const waited = await waitOutFreedInodes(tmpdir(), deletedAt)
      if (waited > 0) options.log(`scale ${c.label}: waited ${(waited / 1000).toFixed(0)} s for the inodes the last deletion freed (ext4 without a journal)`)
    }
    options.log(`scale ${c.label}: ${(options.size * c.sizeFactor / 2 ** 20).toFixed(0)} MiB, files x${c.filesScale}`)
    const result = await runCluster({
      size: options.size * c.sizeFactor,
      seed: options.seed,
      filesScale: c.filesScale,
      peers: { restic: false, borg: false },
      log: options.log,
      onStep: (name) => options.onStep?.(`${c.label}: ${name}`)
    })
    runs.push({ ...c, result })
    deletedAt = Date.now()
  }
  return { baseSize: options.size, runs }
}
