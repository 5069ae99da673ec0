import { diffTrees } from '@resilien/repository'
import type { DiffArgs, DiffResult, HandlerContext } from '@resilien/control'
import type { NodeContext } from '../node-context.js'

/** `diff FROM TO`: streams what changed between two snapshots (DiffEntry items), then the totals. */
export async function diffHandler (ctx: NodeContext, args: DiffArgs, hc: HandlerContext): Promise<DiffResult> {
  const repo = await ctx.openRepo(args.repo, args.password, { signal: hc.signal })
  try {
    const from = await repo.findSnapshot(args.from)
    const to = await repo.findSnapshot(args.to)
    const result: DiffResult = { from: from.id, to: to.id, added: 0, removed: 0, changed: 0, metadata: 0, typeChanged: 0, addedBytes: 0, removedBytes: 0 }
    for await (const c of diffTrees(repo, from.record.tree, to.record.tree, { signal: hc.signal })) {
      hc.item({ change: c.change, path: c.path.toString('utf8'), type: c.type })
      if (c.change === '+') {
        result.added++
        result.addedBytes += c.size
      } else if (c.change === '-') {
        result.removed++
        result.removedBytes += c.size
      } else if (c.change === 'M') {
        result.changed++
      } else if (c.change === 'U') {
        result.metadata++
      } else {
        result.typeChanged++
      }
    }
    return result
  } finally {
    await repo.close()
  }
}
