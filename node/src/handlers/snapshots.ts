import type { SnapshotsArgs, SnapshotsResult, SnapshotSummary } from '@resilien/control'
import type { NodeContext } from '../node-context.js'
import { redundancyWarnings } from '../redundancy.js'

export async function snapshotsHandler (ctx: NodeContext, args: SnapshotsArgs): Promise<SnapshotsResult> {
  const repo = await ctx.openRepo(args.repo, args.password)
  try {
    const snapshots: SnapshotSummary[] = (await repo.listSnapshots()).map((s) => ({
      id: s.id,
      time: s.record.time,
      host: s.record.host,
      paths: s.record.paths,
      tags: s.record.tags,
      degraded: s.record.degraded
    }))
    const survives = await ctx.cluster.redundancyShortfall(repo.id) === undefined
    return { snapshots, survivesSiteLoss: survives, warnings: await redundancyWarnings(ctx) }
  } finally {
    await repo.close()
  }
}
