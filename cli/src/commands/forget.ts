import { Command, InvalidArgumentError } from 'commander'
import { formatBytes, parseDuration, selectsSome } from '@resilien/control'
import type { PruneResult, SnapshotSummary } from '@resilien/control'
import { connect } from '../context.js'
import type { GlobalOptions } from '../context.js'
import { printJson } from '../output.js'
import { readPassword } from '../password.js'
import { UsageError } from '../errors.js'
import { share, wholeNumber } from '../numbers.js'
import { collect } from '../repeatable.js'
import { selectionOf } from '../snapshot-filter.js'
import type { SnapshotFilterOptions } from '../snapshot-filter.js'

const whole = wholeNumber(0)

function duration (text: string): number {
  try {
    return parseDuration(text, '--keep-within')
  } catch (err) {
    throw new InvalidArgumentError((err as Error).message)
  }
}

/** One line about a prune, for `forget --prune` and `prune`. */
export function pruneSummary (p: PruneResult): string {
  const would = p.dryRun ? 'would be ' : ''
  return `prune${p.dryRun ? ' (dry run: nothing changed)' : ''}: ${p.snapshots} snapshots keep ${p.referencedBlobs} blobs; of ${p.packs} packs, ` +
    `${p.packsDeleted} ${would}deleted and ${p.packsRepacked} ${would}repacked (${formatBytes(p.bytesRepacked)} written again); ` +
    (p.indexObjectsRewritten === 0 ? '' : `${p.indexObjectsRewritten} of ${p.indexObjects} index objects ${would}rewritten (${p.indexObjectsWritten} new); `) +
    `${formatBytes(p.packedBytesFreed)} of packs freed, shards go from the sites after their GC grace period`
}

function line (s: SnapshotSummary, note: string): string {
  return `${s.id.slice(0, 8).padEnd(10)} ${s.time.slice(0, 19).replace('T', ' ').padEnd(20)} ${s.host.padEnd(14)} ${s.paths.join(' ')}  ${note}`
}

interface ForgetOptions extends SnapshotFilterOptions {
  keepLast?: number
  keepHourly?: number
  keepDaily?: number
  keepWeekly?: number
  keepMonthly?: number
  keepYearly?: number
  keepWithin?: number
  keepTag?: string[]
  dryRun?: boolean
  prune?: boolean
}

export function pruneCommand (): Command {
  return new Command('prune')
    .description('remove the data no snapshot references any more (runs where the passphrase is)')
    .argument('<repo>', 'repository name')
    .option('--repack-threshold <share>', 'repack a pack when more than this share of it is unused (default 0.2)', share)
    .option('--dry-run', 'only say what would be removed')
    .action(async (repo: string, opts: { repackThreshold?: number, dryRun?: boolean }, cmd: Command) => {
      const g = cmd.optsWithGlobals<GlobalOptions>()
      const r = await connect(g).call('prune', {
        repo,
        password: await readPassword(g),
        ...(opts.dryRun === true ? { dryRun: true } : {}),
        ...(opts.repackThreshold === undefined ? {} : { repackThreshold: opts.repackThreshold })
      })
      if (g.json === true) return printJson(r)
      console.log(pruneSummary(r))
    })
}

export function forgetCommand (): Command {
  return new Command('forget')
    .description('forget the snapshots a retention policy does not keep (each host and paths series on its own), or the snapshots named')
    .argument('<repo>', 'repository name')
    .argument('[snapshots...]', 'snapshots to forget (ids, unique prefixes or "latest") instead of a --keep-* policy')
    .option('--keep-last <n>', 'keep the n newest snapshots', whole)
    .option('--keep-hourly <n>', 'keep the newest snapshot of each of the last n hours that have one', whole)
    .option('--keep-daily <n>', 'the same per day (UTC)', whole)
    .option('--keep-weekly <n>', 'the same per ISO week', whole)
    .option('--keep-monthly <n>', 'the same per month', whole)
    .option('--keep-yearly <n>', 'the same per year', whole)
    .option('--keep-within <duration>', 'keep every snapshot newer than the newest minus this (e.g. 14d)', duration)
    .option('--keep-tag <tags...>', 'keep every snapshot with all of these comma-separated tags (repeatable: any of the lists)')
    .option('--host <host>', 'apply the policy only to snapshots made on this host (repeatable: any of them)', collect, [])
    .option('--tag <tags>', 'apply the policy only to snapshots with all of these comma-separated tags (repeatable: any of the lists)', collect, [])
    .option('--path <path>', 'apply the policy only to snapshots of this path (repeatable: all of them)', collect, [])
    .option('--prune', 'then remove the data no kept snapshot references')
    .option('--dry-run', 'only say what would be forgotten (and pruned)')
    .action(async (repo: string, snapshots: string[], opts: ForgetOptions, cmd: Command) => {
      const g = cmd.optsWithGlobals<GlobalOptions>()
      const policy = [opts.keepLast, opts.keepHourly, opts.keepDaily, opts.keepWeekly, opts.keepMonthly, opts.keepYearly, opts.keepWithin, opts.keepTag]
      if (snapshots.length > 0 && policy.some((v) => v !== undefined)) throw new UsageError('give snapshots to forget or --keep-* options, not both')
      const select = selectionOf(opts)
      if (snapshots.length > 0 && selectsSome(select)) throw new UsageError('--host, --tag and --path select the snapshots a --keep-* policy applies to; snapshots named need none')
      const r = await connect(g).call('forget', {
        repo,
        password: await readPassword(g),
        ...(snapshots.length === 0 ? {} : { snapshots }),
        ...(selectsSome(select) ? { select } : {}),
        ...(opts.keepLast === undefined ? {} : { keepLast: opts.keepLast }),
        ...(opts.keepHourly === undefined ? {} : { keepHourly: opts.keepHourly }),
        ...(opts.keepDaily === undefined ? {} : { keepDaily: opts.keepDaily }),
        ...(opts.keepWeekly === undefined ? {} : { keepWeekly: opts.keepWeekly }),
        ...(opts.keepMonthly === undefined ? {} : { keepMonthly: opts.keepMonthly }),
        ...(opts.keepYearly === undefined ? {} : { keepYearly: opts.keepYearly }),
        ...(opts.keepWithin === undefined ? {} : { keepWithin: opts.keepWithin }),
        ...(opts.keepTag === undefined ? {} : { keepTags: opts.keepTag }),
        ...(opts.dryRun === true ? { dryRun: true } : {}),
        ...(opts.prune === true ? { prune: true } : {})
      })
      if (g.json === true) return printJson(r)
      // Snapshots named: the others are only counted (restic prints only what it removes).
      if (snapshots.length === 0) for (const k of r.keep) console.log(line(k, `keep (${k.reasons.join(', ')})`))
      for (const s of r.remove) console.log(line(s, r.dryRun ? 'would be forgotten' : 'forgotten'))
      console.log(`${r.keep.length} kept, ${r.remove.length} ${r.dryRun ? 'would be forgotten (dry run: nothing changed)' : 'forgotten'}`)
      if (r.prune !== undefined) console.log(pruneSummary(r.prune))
      else if (r.remove.length > 0) console.log('their data stays until `resilien prune` (or forget --prune) removes it')
    })
}
