import { spawn } from 'node:child_process'
import { backup } from '@resilien/repository'
import type { StdinSource } from '@resilien/repository'
import { InvalidInputError, ResilienError } from '@resilien/types'
import type { AbortOptions } from '@resilien/types'
import type { BackupArgs, BackupResult } from '@resilien/control'
import type { HandlerContext } from '@resilien/control'
import type { NodeContext } from '../node-context.js'

/** Lines of a failing command's stderr kept for its error message. */
const STDERR_TAIL_BYTES = 2000

/** Runs `command` with sh and streams its standard output; `done` rejects on a non-zero exit. */
function commandSource (command: string, filename: string, signal: AbortSignal): StdinSource {
  const child = spawn('/bin/sh', ['-c', command], { stdio: ['ignore', 'pipe', 'pipe'], signal })
  let stderr = ''
  child.stderr.on('data', (d: Buffer) => {
    stderr = (stderr + d.toString('utf8')).slice(-STDERR_TAIL_BYTES)
  })
  const done = new Promise<void>((resolve, reject) => {
    child.once('error', (err) => reject(new ResilienError(`command "${command}" could not run: ${err.message}`)))
    child.once('close', (code, sig) => {
      if (code === 0) resolve()
      else reject(new ResilienError(`command "${command}" failed (${sig ?? `exit code ${code ?? '?'}`}); nothing was committed${stderr.trim() === '' ? '' : `: ${stderr.trim().split('\n').pop() ?? ''}`}`))
    })
  })
  done.catch(() => {})
  return { filename, data: child.stdout, done }
}

export async function backupHandler (ctx: NodeContext, args: BackupArgs, hc: HandlerContext): Promise<BackupResult> {
  if (args.stdinCommand !== undefined && (args.stdinFilename === undefined || args.stdinFilename === '' || args.stdinFilename.includes('/'))) {
    throw new InvalidInputError('--stdin-from-command needs --stdin-filename NAME (a file name without "/")')
  }
  const repo = await ctx.openRepo(args.repo, args.password, { signal: hc.signal })
  // A cluster of one site cannot survive its loss whatever we do: its snapshots are committed
  // marked degraded, and status says so plainly, rather than refusing every backup.
  const singleSite = ctx.membership.size() <= 1
  try {
    const stdin = args.stdinCommand === undefined ? undefined : commandSource(args.stdinCommand, args.stdinFilename as string, hc.signal)
    return await ctx.locks.shared(repo.id, async () => await backup(repo, {
      paths: args.paths,
      tags: args.tags,
      ...(args.exclude === undefined ? {} : { exclude: args.exclude }),
      signal: hc.signal,
      redundancyCheck: async (options) => ctx.cluster.redundancyShortfall(repo.id, options),
      ...(singleSite ? {} : { replicate: async (seq: number, options: AbortOptions) => ctx.cluster.replication.replicate(seq, options) }),
      sealPool: ctx.sealPool,
      ...(stdin === undefined ? {} : { streams: [stdin] }),
      ...(args.host === undefined ? {} : { host: args.host }),
      allowDegraded: args.allowDegraded === true || singleSite,
      onProgress: (p) => hc.progress({
        phase: 'backup',
        files: p.files,
        bytes: p.bytes,
        ...(p.totals === undefined ? {} : { totalFiles: p.totals.files, totalBytes: p.totals.bytes }),
        ...(p.current === undefined ? {} : { current: p.current })
      })
    }))
  } finally {
    await repo.close()
  }
}
