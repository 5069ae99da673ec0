import { diffTrees } from '@resilien/repository'
import type { DiffArgs, DiffResult, HandlerContext } from '@resilien/control'
import type { SnapshotEntry } from '@resilien/repository'
import type { NodeContext } from '../node-context.js'

/** Which total each of diff's letters counts in. */
const COUNTED_AS = { '+': 'added', '-': 'removed', M: 'changed', U: 'metadata', T: 'typeChanged' } as const

/** `diff FROM TO`: streams what changed between two snapshots (DiffEntry items), then the totals. */
export async function diffHandler (ctx: NodeContext, args: DiffArgs, hc: HandlerContext): Promise<DiffResult> {
  const repo = await ctx.openRepo(args.repo, args.password, { signal: hc.signal })
  try {
    return await ctx.locks.shared(repo.id, async () => {
      const [from, to] = await repo.findSnapshots([args.from, args.to]) as [SnapshotEntry, SnapshotEntry]
      const result: DiffResult = { from: from.id, to: to.id, added: 0, removed: 0, changed: 0, metadata: 0, typeChanged: 0, addedBytes: 0, removedBytes: 0 }
      for await (const c of diffTrees(repo, from.record.tree, to.record.tree, { signal: hc.signal })) {
        hc.item({ change: c.change, path: c.path.toString('utf8'), type: c.type })
        result[COUNTED_AS[c.change]]++
        if (c.change === '+') result.addedBytes += c.size
        if (c.change === '-') result.removedBytes += c.size
      }
      return result
    }, hc.signal)
  } finally {
    await repo.close()
  }
}
