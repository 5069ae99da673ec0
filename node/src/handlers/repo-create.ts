import { createRepository } from '@resilien/repository'
import { defaultRedundancy } from '@resilien/placement'
import type { RepoCreateArgs, RepoCreateResult } from '@resilien/control'
import type { NodeContext } from '../node-context.js'
import { kdfParamsFromEnv } from '../kdf-choice.js'

/**
 * `repo create`: k and m default to what suits the cluster's size now (3 sites: 2+1, 4: 3+1,
 * 5 and more: 3+2); they are fixed for the life of the repository.
 */
export async function repoCreate (ctx: NodeContext, args: RepoCreateArgs): Promise<RepoCreateResult> {
  await ctx.cluster.replication.ready()
  const kdf = kdfParamsFromEnv()
  const fallback = defaultRedundancy(ctx.membership.size())
  const k = args.k ?? fallback.k
  const m = args.m ?? fallback.m
  const record = await createRepository(ctx, {
    name: args.name,
    passphrase: args.password,
    site: ctx.identity.peerId,
    k,
    m,
    ...(kdf === undefined ? {} : { kdf })
  })
  return { repo: record.repo, name: record.name, k: record.k, m: record.m }
}
