import { addKeySlot, listKeySlots, removeKeySlot } from '@resilien/repository'
import type { RepoKeyArgs, RepoKeyResult } from '@resilien/control'
import { InvalidInputError } from '@resilien/types'
import type { NodeContext } from '../node-context.js'
import { kdfParamsFromEnv } from '../kdf-choice.js'

/**
 * `repo key list | add | remove`: the repository's key slots, one passphrase each (see
 * repo-keys.ts of @resilien/repository for what removing a slot does and does not guarantee).
 * Every operation first opens the repository with the passphrase given.
 */
export async function repoKeyHandler (ctx: NodeContext, args: RepoKeyArgs): Promise<RepoKeyResult> {
  await ctx.cluster.replication.ready()
  switch (args.op) {
    case 'list':
      return { keys: await listKeySlots(ctx, args.repo, args.password) }
    case 'add': {
      if (typeof args.newPassword !== 'string') throw new InvalidInputError('repo key add needs the new passphrase')
      const kdf = kdfParamsFromEnv()
      const { keyId, slots } = await addKeySlot(ctx, args.repo, args.password, args.newPassword, kdf)
      return { keyId, keys: slots }
    }
    case 'remove': {
      if (typeof args.keyId !== 'string') throw new InvalidInputError('repo key remove needs the id of the key slot')
      const { keyId, slots } = await removeKeySlot(ctx, args.repo, args.password, args.keyId)
      return { keyId, keys: slots }
    }
    default:
      throw new InvalidInputError(`unknown key operation "${String(args.op)}": list, add or remove`)
  }
}
