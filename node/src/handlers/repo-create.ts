import { createRepository } from '@resilien/repository'
import type { RepoCreateArgs, RepoCreateResult } from '@resilien/control'
import type { NodeContext } from '../node-context.js'
import { kdfParamsFromEnv } from '../kdf-choice.js'

export async function repoCreate (ctx: NodeContext, args: RepoCreateArgs): Promise<RepoCreateResult> {
  const kdf = kdfParamsFromEnv()
  const record = await createRepository(ctx, {
    name: args.name,
    passphrase: args.password,
    site: ctx.identity.peerId,
    ...(args.k === undefined ? {} : { k: args.k }),
    ...(args.m === undefined ? {} : { m: args.m }),
    ...(kdf === undefined ? {} : { kdf })
  })
  return { repo: record.repo, name: record.name, k: record.k, m: record.m }
}
