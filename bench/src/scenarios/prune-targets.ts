import type { PruneBenchResult } from './prune-types.js'
import type { TargetCheck } from './phase-types.js'
import { NODE_PEAK_RSS_TARGET_BYTES, compare } from './target-check.js'

const MiB = 1024 * 1024

/** The target: prune's peak memory at 4x the repository within 10 % of its peak at 1x. */
export const PRUNE_RSS_GROWTH_LIMIT = 0.1

export function evaluatePruneTargets (r: PruneBenchResult): TargetCheck[] {
  const base = r.runs[0]
  const out: TargetCheck[] = []
  for (const run of r.runs.slice(1)) {
    out.push(compare(`prune peak RSS ${run.factor}x vs 1x (MiB)`, run.peakRssBytes / MiB, base === undefined ? undefined : base.peakRssBytes / MiB,
      `${run.factor}x within ${PRUNE_RSS_GROWTH_LIMIT * 100} % of 1x`, (ratio) => ratio <= 1 + PRUNE_RSS_GROWTH_LIMIT))
  }
  for (const run of r.runs) {
    const peak = run.peakRssBytes / MiB
    out.push({ name: `${run.factor}x prune node peak RSS (MiB)`, ours: peak, target: `<= ${NODE_PEAK_RSS_TARGET_BYTES / MiB} MiB`, met: peak <= NODE_PEAK_RSS_TARGET_BYTES / MiB })
  }
  return out
}
