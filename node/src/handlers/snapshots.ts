import type { SnapshotsArgs, SnapshotsResult } from '@resilien/control'
import type { NodeContext } from '../node-context.js'
import { redundancyWarnings } from '../redundancy.js'
import { repositorySurvives, snapshotSummary } from './snapshot-summary.js'

/** `snapshots`: every snapshot of a repository, `degraded` as it stands now (snapshot-summary.ts). */
export async function snapshotsHandler (ctx: NodeContext, args: SnapshotsArgs): Promise<SnapshotsResult> {
  const repo = await ctx.openRepo(args.repo, args.password)
  try {
    const survives = await repositorySurvives(ctx, repo)
    const snapshots = (await repo.listSnapshots()).map((s) => snapshotSummary(s, survives))
    return { snapshots, survivesSiteLoss: survives, warnings: await redundancyWarnings(ctx) }
  } finally {
    await repo.close()
  }
}
