import type { ControlHandlers } from '@resilien/control'
import { ResilienError } from '@resilien/types'
import type { NodeContext } from '../node-context.js'
import { backupHandler } from './backup.js'
import { checkHandler } from './check.js'
import { lsHandler } from './ls.js'
import { diffHandler } from './diff.js'
import { dumpHandler } from './dump.js'
import { findHandler } from './find.js'
import { repoCreate } from './repo-create.js'
import { repoKeyHandler } from './repo-key.js'
import { repoListHandler } from './repo-list.js'
import { restoreHandler } from './restore.js'
import { snapshotsHandler } from './snapshots.js'
import { statusHandler } from './status.js'
import { inviteHandler } from './invite.js'
import { forgetHandler } from './forget.js'
import { tagHandler } from './tag.js'
import { rewriteHandler } from './rewrite.js'
import { statsHandler } from './stats.js'
import { pruneHandler } from './prune.js'
import type { JobsService } from '../job-runner/jobs-service.js'

export function controlHandlers (ctx: NodeContext, jobs: () => JobsService | undefined): ControlHandlers {
  return {
    status: async (args) => statusHandler(ctx, args),
    'repo-create': async (args) => repoCreate(ctx, args),
    'repo-key': async (args) => repoKeyHandler(ctx, args),
    'repo-list': async () => repoListHandler(ctx),
    backup: async (args, hc) => backupHandler(ctx, args, hc),
    snapshots: async (args) => snapshotsHandler(ctx, args),
    ls: async (args, hc) => lsHandler(ctx, args, hc),
    diff: async (args, hc) => diffHandler(ctx, args, hc),
    find: async (args, hc) => findHandler(ctx, args, hc),
    restore: async (args, hc) => restoreHandler(ctx, args, hc),
    dump: async (args, hc) => dumpHandler(ctx, args, hc),
    check: async (args, hc) => checkHandler(ctx, args, hc),
    invite: async () => inviteHandler(ctx),
    'site-retire': async (args) => {
      const { site, warning } = await ctx.cluster.retireSite(args.name, args.lost)
      return { name: args.name, peerId: site, lost: args.lost, ...(warning === undefined ? {} : { warning }) }
    },
    repair: async () => ctx.cluster.repair.runPass(),
    forget: async (args, hc) => forgetHandler(ctx, args, hc),
    tag: async (args) => tagHandler(ctx, args),
    rewrite: async (args, hc) => rewriteHandler(ctx, args, hc),
    stats: async (args) => statsHandler(ctx, args),
    prune: async (args, hc) => pruneHandler(ctx, args, hc),
    jobs: async () => jobs()?.list() ?? { jobs: [], problem: 'the jobs are not started yet' },
    'jobs-run': async (args) => {
      const service = jobs()
      if (service === undefined) throw new ResilienError('the jobs are not started yet')
      return await service.runNow(args.name)
    }
  }
}

/**
 * The one line the CLI prints for an error. Our errors carry their own clear message; a
 * system error (ENOENT, EACCES, ENOSPC) says which path; anything else is an internal error.
 */
export function describeError (err: unknown): { name: string, message: string } {
  if (err instanceof ResilienError) return { name: err.name, message: err.message }
  if (err instanceof Error) {
    const code = (err as NodeJS.ErrnoException).code
    if (code === 'ENOSPC') return { name: 'DiskFullError', message: `no space left on device${(err as NodeJS.ErrnoException).path === undefined ? '' : ` (${(err as NodeJS.ErrnoException).path as string})`}` }
    if (err.name === 'AbortError') return { name: 'AbortError', message: 'the operation was interrupted; nothing was committed' }
    return { name: err.name, message: err.message }
  }
  return { name: 'Error', message: String(err) }
}
