import { planDayZero } from './plan.js'
import { planNextDay } from './mutate.js'
import { applyNextDay, writeDataset } from './write.js'
import { treeStats } from './tree-stats.js'
import type { TreeStats } from './tree-stats.js'
import type { DatasetOptions, DatasetPlan, MutationSummary } from './file-spec.js'

export const GiB = 1024 * 1024 * 1024
/** Day 0's size by default, and with --quick. */
export const DEFAULT_DATASET_SIZE = GiB
export const QUICK_DATASET_SIZE = 64 * 1024 * 1024
export const DEFAULT_SEED = 1

export interface GeneratedDay {
  plan: DatasetPlan
  /** What is on disk now. */
  tree: TreeStats
  /** Bytes written to get there (all of them on day 0; the changes on a next day). */
  written: number
  seconds: number
  summary?: MutationSummary
}

export function datasetOptions (partial: Partial<DatasetOptions> = {}): DatasetOptions {
  return {
    seed: partial.seed ?? DEFAULT_SEED,
    size: partial.size ?? DEFAULT_DATASET_SIZE,
    filesScale: partial.filesScale ?? 1
  }
}

/** Generates day 0 into `root`. */
export function generateDayZero (root: string, options: DatasetOptions): GeneratedDay {
  const t0 = performance.now()
  const plan = planDayZero(options)
  const written = writeDataset(root, plan)
  return { plan, tree: treeStats(root), written, seconds: (performance.now() - t0) / 1000 }
}

/** Turns the tree of `prev` in `root` into the next day's. */
export function advanceDay (root: string, prev: DatasetPlan): GeneratedDay {
  const t0 = performance.now()
  const { plan, summary } = planNextDay(prev)
  const written = applyNextDay(root, prev, plan)
  return { plan, tree: treeStats(root), written, seconds: (performance.now() - t0) / 1000, summary }
}
