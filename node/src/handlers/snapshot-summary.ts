import type { SnapshotSummary } from '@resilien/control'
import type { Repository, SnapshotEntry } from '@resilien/repository'
import type { NodeContext } from '../node-context.js'

/**
 * A snapshot's record is sealed when it commits, degraded or not, and never changes; repair
 * later spreads its stripes. So `degraded` shows whether it is degraded now: committed degraded,
 * and the repository still has stripes that would not survive the loss of a site (the check a
 * backup makes before it commits). Once repair has spread them all, every snapshot is whole,
 * since each survives through its own stripes. A degraded snapshot whose own stripes were spread
 * first stays marked until the last weak stripe of the repository is: knowing which stripes a
 * snapshot uses takes reading all its trees, and the mark errs on the safe side.
 */
export function snapshotSummary (s: SnapshotEntry, repositorySurvives: boolean): SnapshotSummary {
  return { id: s.id, time: s.record.time, host: s.record.host, paths: s.record.paths, tags: s.record.tags, degraded: s.record.degraded && !repositorySurvives }
}

/** Whether every stripe of the repository survives the loss of a site (one pass over its stripes). */
export async function repositorySurvives (ctx: NodeContext, repo: Repository): Promise<boolean> {
  return await ctx.cluster.redundancyShortfall(repo.id) === undefined
}
