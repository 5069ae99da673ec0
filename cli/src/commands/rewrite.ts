import { Command } from 'commander'
import { formatBytes, selectsSome } from '@resilien/control'
import type { RewriteResult } from '@resilien/control'
import { connect, interruptSignal } from '../context.js'
import type { GlobalOptions } from '../context.js'
import { UsageError } from '../errors.js'
import { readExcludeFiles } from '../exclude-files.js'
import { counted, printJson } from '../output.js'
import { readPassword } from '../password.js'
import { collect } from '../repeatable.js'
import { selectionOf } from '../snapshot-filter.js'
import type { SnapshotFilterOptions } from '../snapshot-filter.js'

interface RewriteOptions extends SnapshotFilterOptions {
  exclude: string[]
  excludeFile: string[]
  forget?: boolean
  dryRun?: boolean
  allowDegraded?: boolean
}

function removedText (r: RewriteResult['rewritten'][number]['removed']): string {
  return `${counted(r.files, 'file')} and ${counted(r.dirs, 'folder')} (${formatBytes(r.bytes)})`
}

export function rewriteCommand (): Command {
  return new Command('rewrite')
    .description('take paths out of existing snapshots (restic\'s rewrite): each snapshot that holds one gets a new id without them, tagged "rewrite" beside its original unless --forget')
    .argument('<repo>', 'repository name')
    .argument('[snapshots...]', 'snapshot ids, prefixes or "latest" (none: every snapshot --host, --tag and --path select, or all)')
    .option('-e, --exclude <pattern>', 'take out matching paths (repeatable; backup\'s rules, e.g. "/var/www/nextcloud/data/bob", "*.env")', collect, [])
    .option('--exclude-file <file>', 'read exclude patterns from a file, one per line (repeatable)', collect, [])
    .option('--forget', 'forget each original snapshot with its rewrite (the data goes at the next prune)')
    .option('-n, --dry-run', 'only say what would be taken out of which snapshots')
    .option('--host <host>', 'rewrite only snapshots made on this host (repeatable: any of them)', collect, [])
    .option('--tag <tags>', 'rewrite only snapshots with all of these comma-separated tags (repeatable: any of the lists)', collect, [])
    .option('--path <path>', 'rewrite only snapshots of this path (repeatable: all of them)', collect, [])
    .option('--allow-degraded', 'commit even if not enough sites are up for every stripe to survive a site\'s loss (marked degraded)')
    .action(async (repo: string, snapshots: string[], opts: RewriteOptions, cmd: Command) => {
      const g = cmd.optsWithGlobals<GlobalOptions>()
      const exclude = [...opts.exclude, ...await readExcludeFiles(opts.excludeFile)]
      if (exclude.length === 0) throw new UsageError('say what to take out of the snapshots: --exclude PATTERN or --exclude-file FILE')
      const select = selectionOf(opts)
      if (snapshots.length > 0 && selectsSome(select)) throw new UsageError('name the snapshots to rewrite or select them with --host, --tag and --path, not both')
      const r = await connect(g).call('rewrite', {
        repo,
        password: await readPassword(g),
        exclude,
        ...(snapshots.length === 0 ? {} : { snapshots }),
        ...(selectsSome(select) ? { select } : {}),
        ...(opts.forget === true ? { forget: true } : {}),
        ...(opts.dryRun === true ? { dryRun: true } : {}),
        ...(opts.allowDegraded === true ? { allowDegraded: true } : {})
      }, { signal: interruptSignal() })
      if (g.json === true) return printJson(r)
      for (const s of r.rewritten) {
        console.log(r.dryRun
          ? `${s.from.slice(0, 8)} would lose ${removedText(s.removed)}`
          : `${s.from.slice(0, 8)} is now ${s.to.slice(0, 8)}, without ${removedText(s.removed)}`)
      }
      const what = r.dryRun
        ? `${counted(r.rewritten.length, 'snapshot')} would be rewritten (dry run: nothing changed)`
        : `${counted(r.rewritten.length, 'snapshot')} rewritten${r.rewritten.length === 0 ? '' : r.forgotten ? ', their originals forgotten' : ', tagged "rewrite" beside their originals'}`
      console.log(`${what}, ${r.unchanged.length} unchanged`)
      for (const id of r.vanished) console.error(`warning: ${id.slice(0, 8)} was forgotten while it was being rewritten: no copy of it was committed`)
      if (!r.dryRun && r.rewritten.length > 0) {
        console.log(r.forgotten
          ? 'the data taken out stays until `resilien prune` removes it'
          : 'the originals still hold the data: forget them (or rewrite with --forget), then prune')
      }
      if (r.degraded && r.rewritten.length > 0) console.error('warning: these snapshots do not survive the loss of a site yet (too few sites); see `resilien status`')
    })
}
