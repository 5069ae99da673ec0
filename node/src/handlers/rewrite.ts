import { resolveSnapshots, rewriteSnapshots } from '@resilien/repository'
import { isSelected, selectsSome } from '@resilien/control'
import type { HandlerContext, RewriteArgs, RewriteResult } from '@resilien/control'
import { InvalidInputError } from '@resilien/types'
import type { NodeContext } from '../node-context.js'
import { siteCommitRule } from './backup.js'

/**
 * `rewrite`: takes paths out of existing snapshots (restic's; snapshot-rewrite.ts). It stores
 * new trees as a backup stores them, so it shares the repository as a backup does (a prune
 * waits), and commits under the same rule (siteCommitRule).
 */
export async function rewriteHandler (ctx: NodeContext, args: RewriteArgs, hc: HandlerContext): Promise<RewriteResult> {
  const named = args.snapshots ?? []
  const selection = args.select ?? {}
  if (named.length > 0 && selectsSome(selection)) {
    throw new InvalidInputError('name the snapshots to rewrite or select them with --host, --tag and --path, not both')
  }
  const repo = await ctx.openRepo(args.repo, args.password, { signal: hc.signal })
  try {
    return await ctx.locks.shared(repo.id, async () => {
      const all = await repo.listSnapshots()
      // Every name is resolved before anything is written: one that matches nothing changes nothing.
      const chosen = named.length > 0 ? resolveSnapshots(all, named, repo.record.name) : all.filter((s) => isSelected(s.record, selection))
      return await rewriteSnapshots(repo, chosen, {
        exclude: args.exclude,
        signal: hc.signal,
        sealPool: ctx.sealPool,
        ...(args.forget === true ? { forget: true } : {}),
        ...(args.dryRun === true ? { dryRun: true } : {}),
        ...siteCommitRule(ctx, repo.id, args.allowDegraded === true)
      })
    }, hc.signal)
  } finally {
    await repo.close()
  }
}
