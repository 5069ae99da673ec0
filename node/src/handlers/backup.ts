import { backup, CACHEDIR_TAG, LOCAL_PACKS_IN_FLIGHT, parseFolderMarker } from '@resilien/repository'
import type { BackupOptions, Repository } from '@resilien/repository'
import { InvalidInputError, isPlainFileName } from '@resilien/types'
import type { AbortOptions, BackupResult } from '@resilien/types'
import type { BackupArgs } from '@resilien/control'
import type { HandlerContext } from '@resilien/control'
import type { NodeContext } from '../node-context.js'
import { commandStream } from '../command-stream.js'

/** What a backup on this site sets the same way whoever asks (the CLI or a job). */
export type SiteBackupOptions = Omit<BackupOptions, 'redundancyCheck' | 'replicate' | 'sealPool'>

/**
 * Backs up into an open repository under its shared lock, with this site's commit rule: every
 * stripe must survive a site's loss, and the snapshot fact must reach another site. A cluster of
 * one site cannot survive its loss whatever we do: its snapshots are committed marked degraded,
 * and status says so plainly, rather than refusing every backup. Its shards all go to its own
 * disk, so one pack in flight keeps up (LOCAL_PACKS_IN_FLIGHT).
 */
export async function backupOnSite (ctx: NodeContext, repo: Repository, options: SiteBackupOptions): Promise<BackupResult> {
  const singleSite = ctx.membership.alone()
  return await ctx.locks.shared(repo.id, async () => await backup(repo, {
    ...options,
    ...siteCommitRule(ctx, repo.id, options.allowDegraded === true),
    sealPool: ctx.sealPool,
    ...(singleSite ? { maxPacksInFlight: LOCAL_PACKS_IN_FLIGHT } : {})
  }), options.signal)
}

/**
 * The commit rule of whatever stores new packs and commits snapshots on this site (backup,
 * rewrite): the repository's stripes must survive a site's loss unless degraded is allowed, and
 * the facts must reach another site. A site alone always commits, marked degraded.
 */
export function siteCommitRule (ctx: NodeContext, repo: string, allowDegraded: boolean): {
  redundancyCheck: (o: AbortOptions) => Promise<string | undefined>
  replicate?: (seq: number, o: AbortOptions) => Promise<void>
  allowDegraded: boolean
} {
  const singleSite = ctx.membership.alone()
  return {
    redundancyCheck: async (o) => await ctx.cluster.redundancyShortfall(repo, o),
    ...(singleSite ? {} : { replicate: async (seq: number, o: AbortOptions) => await ctx.cluster.replication.replicate(seq, o) }),
    allowDegraded: allowDegraded || singleSite
  }
}

export async function backupHandler (ctx: NodeContext, args: BackupArgs, hc: HandlerContext): Promise<BackupResult> {
  if (args.stdinCommand !== undefined && (args.stdinFilename === undefined || !isPlainFileName(args.stdinFilename))) {
    throw new InvalidInputError('--stdin-from-command needs --stdin-filename NAME (a plain file name: no "/", not "." or "..")')
  }
  const markers = [...(args.excludeIfPresent ?? []).map(parseFolderMarker), ...(args.excludeCaches === true ? [CACHEDIR_TAG] : [])]
  if (args.excludeLargerThan !== undefined && !(Number.isSafeInteger(args.excludeLargerThan) && args.excludeLargerThan >= 0)) {
    throw new InvalidInputError(`--exclude-larger-than needs a size of 0 bytes or more, not ${String(args.excludeLargerThan)}`)
  }
  const repo = await ctx.openRepo(args.repo, args.password, { signal: hc.signal })
  try {
    const stdin = args.stdinCommand === undefined ? undefined : commandStream(args.stdinCommand, args.stdinFilename as string, { signal: hc.signal })
    return await backupOnSite(ctx, repo, {
      paths: args.paths,
      tags: args.tags,
      signal: hc.signal,
      ...(args.exclude === undefined ? {} : { exclude: args.exclude }),
      ...(args.oneFileSystem === true ? { oneFileSystem: true } : {}),
      ...(args.noScan === true ? { noScan: true } : {}),
      ...(args.dryRun === true ? { dryRun: true } : {}),
      ...(markers.length === 0 ? {} : { excludeMarkers: markers }),
      ...(args.excludeLargerThan === undefined ? {} : { excludeLargerThan: args.excludeLargerThan }),
      ...(stdin === undefined ? {} : { streams: [stdin] }),
      ...(args.host === undefined ? {} : { host: args.host }),
      ...(args.allowDegraded === true ? { allowDegraded: true } : {}),
      onProgress: (p) => hc.progress({
        phase: p.recorded === undefined ? 'backup' : 'commit',
        ...(p.recorded === undefined ? {} : { snapshot: p.recorded }),
        files: p.files,
        bytes: p.bytes,
        ...(p.totals === undefined ? {} : { totalFiles: p.totals.files, totalBytes: p.totals.bytes }),
        ...(p.current === undefined ? {} : { current: p.current })
      })
    })
  } finally {
    await repo.close()
  }
}
