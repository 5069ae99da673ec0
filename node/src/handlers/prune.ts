import { join } from 'node:path'
import { prune } from '@resilien/repository'
import type { Repository } from '@resilien/repository'
import { InvalidInputError } from '@resilien/types'
import type { PruneResult } from '@resilien/types'
import type { HandlerContext, PruneArgs } from '@resilien/control'
import type { NodeContext } from '../node-context.js'

/** Runs a prune on an open repository, alone on it (no backup, restore or check of it meanwhile). */
export async function pruneOpen (ctx: NodeContext, repo: Repository, options: { dryRun?: boolean, repackThreshold?: number, signal?: AbortSignal, hc?: HandlerContext }): Promise<PruneResult> {
  const threshold = options.repackThreshold
  if (threshold !== undefined && !(threshold >= 0 && threshold <= 1)) throw new InvalidInputError('--repack-threshold must be a share between 0 and 1')
  return await ctx.locks.exclusive(repo.id, async () => await prune(repo, {
    workDir: join(ctx.layout.cache, repo.id),
    // Alone on the repository here: packs in no index object are what failed backups left.
    publishLeftovers: true,
    ...(options.dryRun === true ? { dryRun: true } : {}),
    ...(threshold === undefined ? {} : { repackThreshold: threshold }),
    ...(options.signal === undefined ? {} : { signal: options.signal }),
    onProgress: (p) => options.hc?.progress({ phase: `prune: ${p.phase}`, files: p.packs, bytes: 0 })
  }), options.signal)
}

export async function pruneHandler (ctx: NodeContext, args: PruneArgs, hc: HandlerContext): Promise<PruneResult> {
  const repo = await ctx.openRepo(args.repo, args.password, { signal: hc.signal })
  try {
    return await pruneOpen(ctx, repo, { signal: hc.signal, hc, ...(args.dryRun === undefined ? {} : { dryRun: args.dryRun }), ...(args.repackThreshold === undefined ? {} : { repackThreshold: args.repackThreshold }) })
  } finally {
    await repo.close()
  }
}
