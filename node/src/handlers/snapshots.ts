import type { SnapshotsArgs, SnapshotsResult, SnapshotSummary } from '@resilien/control'
import type { NodeContext } from '../node-context.js'
import { redundancyWarnings } from '../redundancy.js'

/**
 * A snapshot's record is sealed when it commits, degraded or not, and never changes; repair
 * later spreads its stripes. So `degraded` shows whether it is degraded now: committed degraded,
 * and the repository still has stripes that would not survive the loss of a site (the check a
 * backup makes before it commits, one stream of the repository's stripes that this answer makes
 * anyway). Once repair has spread them all, every snapshot is whole, since each survives through
 * its own stripes. A degraded snapshot whose own stripes were spread first stays marked until
 * the last weak stripe of the repository is: knowing which stripes a snapshot uses takes reading
 * all its trees, and the mark errs on the safe side.
 */
export async function snapshotsHandler (ctx: NodeContext, args: SnapshotsArgs): Promise<SnapshotsResult> {
  const repo = await ctx.openRepo(args.repo, args.password)
  try {
    const survives = await ctx.cluster.redundancyShortfall(repo.id) === undefined
    const snapshots: SnapshotSummary[] = (await repo.listSnapshots()).map((s) => ({
      id: s.id,
      time: s.record.time,
      host: s.record.host,
      paths: s.record.paths,
      tags: s.record.tags,
      degraded: s.record.degraded && !survives
    }))
    return { snapshots, survivesSiteLoss: survives, warnings: await redundancyWarnings(ctx) }
  } finally {
    await repo.close()
  }
}
