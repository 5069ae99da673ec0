import { Rng, mixAll } from './prng.js'
import { DAY_MS, DAY_ZERO_MS } from './layout.js'
import { applyNextDay } from './write.js'
import { treeStats } from './tree-stats.js'
import type { TreeStats } from './tree-stats.js'
import type { DatasetPlan, FileSpec } from './file-spec.js'

/** Salt of the rewrite's random choices, apart from the next day's. */
const REWRITE_SALT = 0x5e7
/** Rewritten files get an mtime this long into their day, after every file of the day before. */
const REWRITE_HOUR_MS = 3600 * 1000

export interface Rewrite {
  plan: DatasetPlan
  /** Files given new content, and their bytes. */
  files: number
  bytes: number
}

/**
 * A heavy day: files drawn at random in a seeded order get new content (a new seed, the same
 * path and size) until `share` of the tree's bytes is new. Unlike the next day's few %, this
 * leaves most of the previous snapshot's data unreferenced once it is forgotten: what prune
 * has to delete and repack. Pure: the same plan gives the same rewrite.
 */
export function planRewrite (plan: DatasetPlan, share: number): Rewrite {
  const day = plan.day + 1
  const rng = new Rng(mixAll(plan.options.seed, REWRITE_SALT, day))
  const files: FileSpec[] = plan.files.map((f) => ({ ...f }))
  const order = files.map((_, i) => i)
  for (let i = order.length - 1; i > 0; i--) {
    const j = rng.int(i + 1)
    const t = order[i] as number
    order[i] = order[j] as number
    order[j] = t
  }
  const goal = share * files.reduce((n, f) => n + f.size, 0)
  const mtimeMs = DAY_ZERO_MS + (day - 1) * DAY_MS + REWRITE_HOUR_MS
  let bytes = 0
  let count = 0
  for (const i of order) {
    if (bytes >= goal) break
    const f = files[i] as FileSpec
    f.seed = rng.u32()
    f.mtimeMs = mtimeMs
    bytes += f.size
    count++
  }
  return { plan: { ...plan, day, files }, files: count, bytes }
}

/** Applies `planRewrite` to the tree of `prev` in `root`: only the chosen files are written. */
export function rewriteShare (root: string, prev: DatasetPlan, share: number): Rewrite & { tree: TreeStats, written: number } {
  const rewrite = planRewrite(prev, share)
  const written = applyNextDay(root, prev, rewrite.plan)
  return { ...rewrite, tree: treeStats(root), written }
}
