import { compilePathMatcher, findInTree } from '@resilien/repository'
import type { FindArgs, FindResult, HandlerContext } from '@resilien/control'
import { InvalidInputError } from '@resilien/types'
import type { NodeContext } from '../node-context.js'
import { lsEntry } from './ls.js'

/**
 * `find PATTERN...`: the entries whose path matches, in every snapshot (newest first) or in the
 * ones named, streamed as FindEntry items (restic's find). Each snapshot's trees are walked.
 */
export async function findHandler (ctx: NodeContext, args: FindArgs, hc: HandlerContext): Promise<FindResult> {
  if (!Array.isArray(args.patterns) || args.patterns.length === 0) throw new InvalidInputError('give at least one pattern to find, e.g. "*.docx"')
  const matches = compilePathMatcher(args.patterns)
  const repo = await ctx.openRepo(args.repo, args.password, { signal: hc.signal })
  try {
    return await ctx.locks.shared(repo.id, async () => {
      const named = args.snapshots ?? []
      const snapshots = named.length > 0 ? await repo.findSnapshots(named) : (await repo.listSnapshots()).reverse()
      let found = 0
      for (const snapshot of snapshots) {
        for await (const { path, node } of findInTree(repo, snapshot.record.tree, matches, { signal: hc.signal })) {
          hc.item({ snapshot: snapshot.id, time: snapshot.record.time, ...lsEntry(path, node) })
          found++
        }
      }
      return { snapshots: snapshots.length, matches: found }
    }, hc.signal)
  } finally {
    await repo.close()
  }
}
