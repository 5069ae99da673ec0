import type { InviteResult } from '@resilien/control'
import type { NodeContext } from '../node-context.js'

export async function inviteHandler (ctx: NodeContext): Promise<InviteResult> {
  const { token, expires } = await ctx.cluster.invite()
  return { token, expires: new Date(expires).toISOString() }
}
