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
    keyCache: ctx.keyCache,
    ...(kdf === undefined ? {} : { kdf })
  })
  return { repo: record.repo, name: record.name, k: record.k, m: record.m, warnings: policyWarnings(ctx, record.k, record.m) }
}

/**
 * k and m are fixed for the life of a repository, so a policy that keeps every backup from
 * committing is said at once rather than at the first backup. A single-site cluster is left
 * alone: it keeps all shards on its one site by design (status warns about it).
 */
function policyWarnings (ctx: NodeContext, k: number, m: number): string[] {
  const zones = new Set(ctx.membership.records().filter((s) => !ctx.membership.isRetired(s.site)).map((s) => s.zone)).size
  if (ctx.membership.alone() || zones < 2) return []
  const warnings: string[] = []
  if (k + m > zones) {
    warnings.push(`this cluster has ${zones} failure domains (zones) and a ${k}+${m} pack needs ${k + m}, one shard in each: backups are refused until that many are up, unless --allow-degraded`)
  }
  if (m === 0) warnings.push('with m=0 a pack has no parity: no snapshot survives the loss of a site that holds one of its shards, so backups are refused unless --allow-degraded')
  return warnings
}
