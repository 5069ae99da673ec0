import { join } from 'node:path'
import { checkRepository, checkStripes } from '@resilien/repository'
import type { CheckOptions } from '@resilien/repository'
import { InvalidInputError } from '@resilien/types'
import { checkedDataSubset } from '@resilien/control'
import type { CheckArgs, CheckResult, HandlerContext } from '@resilien/control'
import type { NodeContext } from '../node-context.js'

/**
 * With a repository and its passphrase: the full check (snapshots, trees, index, and with
 * read-data every blob). Without: what any site can check with no key, the shards of every
 * stripe (present, and with read-data re-hashed).
 */
export async function checkHandler (ctx: NodeContext, args: CheckArgs, hc: HandlerContext): Promise<CheckResult> {
  const subset = args.readDataSubset === undefined ? undefined : checkedDataSubset(args.readDataSubset)
  const options: CheckOptions = {
    readData: args.readData,
    signal: hc.signal,
    ...(subset === undefined ? {} : { readDataSubset: subset }),
    onProgress: (p) => hc.progress({ phase: p.phase, files: p.done, bytes: p.bytes, ...(p.total === undefined ? {} : { totalFiles: p.total }) })
  }
  if (args.repo === undefined) return named(ctx, await checkStripes(ctx.catalog, ctx.sites, undefined, options))
  if (args.password === undefined) throw new InvalidInputError('checking a repository needs its passphrase')
  const repo = await ctx.openRepo(args.repo, args.password, { signal: hc.signal })
  try {
    return named(ctx, await ctx.locks.shared(repo.id, async () => await checkRepository(repo, { ...options, workDir: join(ctx.layout.cache, repo.id) }), hc.signal))
  } finally {
    await repo.close()
  }
}

/**
 * Sites by name too: the operator knows "office", not its peer id. The engine, which knows no
 * names, writes peer ids into its messages; each becomes the site's name there.
 */
function named (ctx: NodeContext, report: CheckResult): CheckResult {
  const sites = ctx.membership.records()
  const rename = (message: string): string => sites.reduce((m, s) => m.replaceAll(`site ${s.site}`, `site ${s.name}`), message)
  return {
    ...report,
    problems: report.problems.map((p) => ({ ...p, message: rename(p.message) })),
    unreachable: report.unreachable.map((u) => ({ ...u, name: ctx.membership.record(u.site)?.name ?? u.site }))
  }
}
