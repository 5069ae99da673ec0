import type { StatsArgs, StatsResult } from '@resilien/control'
import type { NodeContext } from '../node-context.js'

/**
 * `stats`: how large a repository is, restic's restore size beside what it stores. Snapshot
 * totals come from the snapshot records (no tree walk); pack sizes from the catalog's stripes,
 * streamed, so the answer costs one pass over the repository's stripe records.
 */
export async function statsHandler (ctx: NodeContext, args: StatsArgs): Promise<StatsResult> {
  const repo = await ctx.openRepo(args.repo, args.password)
  try {
    const snapshots = await repo.listSnapshots()
    const newest = snapshots.at(-1)
    let packs = 0
    let packedBytes = 0
    let storedBytes = 0
    for await (const stripe of ctx.catalog.stripes(repo.id)) {
      packs++
      packedBytes += stripe.packLength
      storedBytes += stripe.shardLength * stripe.shards.length
    }
    return {
      snapshots: snapshots.length,
      ...(newest === undefined
        ? {}
        : { latest: { id: newest.id, time: newest.record.time, files: newest.record.stats.files, bytes: newest.record.stats.totalBytes } }),
      restoreBytes: snapshots.reduce((sum, s) => sum + s.record.stats.totalBytes, 0),
      packs,
      packedBytes,
      storedBytes,
      k: repo.record.k,
      m: repo.record.m
    }
  } finally {
    await repo.close()
  }
}
