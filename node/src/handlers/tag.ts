import { retagSnapshots } from '@resilien/repository'
import type { TagArgs, TagResult } from '@resilien/control'
import type { NodeContext } from '../node-context.js'

/** `tag`: new tags for the snapshots named (each becomes a new snapshot id; see snapshot-tags.ts). */
export async function tagHandler (ctx: NodeContext, args: TagArgs): Promise<TagResult> {
  const repo = await ctx.openRepo(args.repo, args.password)
  try {
    return await ctx.locks.shared(repo.id, async () => {
      return await retagSnapshots(repo, args.snapshots, {
        ...(args.add === undefined ? {} : { add: args.add }),
        ...(args.remove === undefined ? {} : { remove: args.remove }),
        ...(args.set === undefined ? {} : { set: args.set })
      })
    })
  } finally {
    await repo.close()
  }
}
