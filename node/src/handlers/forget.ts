import { applyRetention } from '@resilien/repository'
import type { ForgetArgs, ForgetResult, HandlerContext, SnapshotSummary } from '@resilien/control'
import type { SnapshotEntry } from '@resilien/repository'
import type { NodeContext } from '../node-context.js'
import { pruneOpen } from './prune.js'

/** Snapshot-forgotten facts appended per catalog call (the catalog takes at most 1000 a batch). */
const FORGET_BATCH = 500

function summary (s: SnapshotEntry): SnapshotSummary {
  return { id: s.id, time: s.record.time, host: s.record.host, paths: s.record.paths, tags: s.record.tags, degraded: s.record.degraded }
}

/**
 * `forget`: applies a retention policy to the repository's snapshots and records the others as
 * forgotten (tombstones every site folds in). Their data stays until a prune removes what no kept
 * snapshot references.
 */
export async function forgetHandler (ctx: NodeContext, args: ForgetArgs, hc?: HandlerContext): Promise<ForgetResult> {
  const repo = await ctx.openRepo(args.repo, args.password)
  try {
    const snapshots = await repo.listSnapshots()
    const decision = applyRetention(snapshots.map((s) => ({ id: s.id, time: new Date(s.record.time), host: s.record.host, paths: s.record.paths, tags: s.record.tags, entry: s })), {
      ...(args.keepLast === undefined ? {} : { last: args.keepLast }),
      ...(args.keepHourly === undefined ? {} : { hourly: args.keepHourly }),
      ...(args.keepDaily === undefined ? {} : { daily: args.keepDaily }),
      ...(args.keepWeekly === undefined ? {} : { weekly: args.keepWeekly }),
      ...(args.keepMonthly === undefined ? {} : { monthly: args.keepMonthly }),
      ...(args.keepYearly === undefined ? {} : { yearly: args.keepYearly }),
      ...(args.keepWithin === undefined ? {} : { withinMs: args.keepWithin }),
      ...(args.keepTags === undefined ? {} : { tags: args.keepTags })
    })
    const dryRun = args.dryRun === true
    if (!dryRun) {
      for (let i = 0; i < decision.remove.length; i += FORGET_BATCH) {
        await ctx.catalog.append(decision.remove.slice(i, i + FORGET_BATCH).map((s) => ({ type: 'snapshot-forgotten' as const, repo: repo.id, snapshot: s.id })))
      }
    }
    const pruned = args.prune === true ? await pruneOpen(ctx, repo, { dryRun, ...(hc === undefined ? {} : { signal: hc.signal, hc }) }) : undefined
    return {
      keep: decision.keep.map((k) => ({ ...summary(k.snapshot.entry), reasons: k.reasons })),
      remove: decision.remove.map((s) => summary(s.entry)),
      dryRun,
      ...(pruned === undefined ? {} : { prune: pruned })
    }
  } finally {
    await repo.close()
  }
}
