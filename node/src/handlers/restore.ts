import { LOCAL_RESTORE_PACKS_IN_FLIGHT, restore } from '@resilien/repository'
import type { HandlerContext, RestoreArgs, RestoreResult } from '@resilien/control'
import type { NodeContext } from '../node-context.js'

/** A site alone in its cluster reads every shard from its own disk: fewer packs in flight keep up. */
export async function restoreHandler (ctx: NodeContext, args: RestoreArgs, hc: HandlerContext): Promise<RestoreResult> {
  const singleSite = ctx.membership.alone()
  const repo = await ctx.openRepo(args.repo, args.password, { signal: hc.signal })
  try {
    return await ctx.locks.shared(repo.id, async () => await restore(repo, {
      snapshot: args.snapshot,
      target: args.target,
      include: args.include,
      ...(args.exclude === undefined || args.exclude.length === 0 ? {} : { exclude: args.exclude }),
      ...(args.verify === true ? { verify: true } : {}),
      signal: hc.signal,
      sealPool: ctx.sealPool,
      ...(singleSite ? { maxPacksInFlight: LOCAL_RESTORE_PACKS_IN_FLIGHT } : {}),
      onProgress: (p) => hc.progress({
        phase: 'restore',
        files: p.files,
        bytes: p.bytes,
        totalFiles: p.totalFiles,
        totalBytes: p.totalBytes,
        ...(p.current === undefined ? {} : { current: p.current })
      })
    }), hc.signal)
  } finally {
    await repo.close()
  }
}
