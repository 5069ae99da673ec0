import type { RepoListResult } from '@resilien/control'
import { compareText } from '@resilien/types'
import type { NodeContext } from '../node-context.js'

/**
 * `repo list`: every repository of the catalog, with what any site may read without its
 * passphrase (names, k + m and key slots are in clear; snapshots are counted, not opened). On a
 * fresh machine that just joined, it says which names `restore` can be given.
 */
export async function repoListHandler (ctx: NodeContext): Promise<RepoListResult> {
  await ctx.cluster.replication.ready()
  const names = new Map(ctx.membership.records().map((s) => [s.site, s.name]))
  const repos: RepoListResult['repos'] = []
  for await (const record of ctx.catalog.repos()) {
    const snapshots = await count(ctx.catalog.snapshots(record.repo))
    repos.push({
      name: record.name,
      repo: record.repo,
      k: record.k,
      m: record.m,
      created: new Date(record.createdAt).toISOString(),
      createdBy: names.get(record.createdBy) ?? record.createdBy,
      snapshots,
      keySlots: (await ctx.catalog.keys(record.repo)).length
    })
  }
  return { repos: repos.sort((a, b) => compareText(a.name, b.name) || compareText(a.created, b.created)) }
}

async function count (items: AsyncIterable<unknown>): Promise<number> {
  const it = items[Symbol.asyncIterator]()
  let n = 0
  while ((await it.next()).done !== true) n++
  return n
}
