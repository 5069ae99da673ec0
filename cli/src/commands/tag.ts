import { Command } from 'commander'
import { connect } from '../context.js'
import type { GlobalOptions } from '../context.js'
import { printJson } from '../output.js'
import { readPassword } from '../password.js'
import { collectTags } from '../repeatable.js'
import { UsageError } from '../errors.js'

interface TagOptions {
  add: string[]
  remove: string[]
  set?: string[]
}

export function tagCommand (): Command {
  return new Command('tag')
    .description('change the tags of snapshots (each gets a new id, as with restic; e.g. --add keep, for forget --keep-tag keep)')
    .argument('<repo>', 'repository name')
    .argument('<snapshots...>', 'snapshot ids, prefixes or "latest"')
    .option('--add <tags>', 'add these tags (repeatable; commas separate tags)', collectTags, [])
    .option('--remove <tags>', 'remove these tags (repeatable; commas separate tags)', collectTags, [])
    .option('--set <tags>', 'replace all tags with these (repeatable; commas separate tags; --set "" removes them all)', collectTags)
    .action(async (repo: string, snapshots: string[], opts: TagOptions, cmd: Command) => {
      const g = cmd.optsWithGlobals<GlobalOptions>()
      const edits = opts.add.length + opts.remove.length
      if (opts.set === undefined && edits === 0) throw new UsageError('say how the tags change: --add, --remove or --set')
      if (opts.set !== undefined && edits > 0) throw new UsageError('--set replaces all tags: give it alone, not with --add or --remove')
      const r = await connect(g).call('tag', {
        repo,
        password: await readPassword(g),
        snapshots,
        ...(opts.add.length === 0 ? {} : { add: opts.add }),
        ...(opts.remove.length === 0 ? {} : { remove: opts.remove }),
        ...(opts.set === undefined ? {} : { set: opts.set })
      })
      if (g.json === true) return printJson(r)
      for (const c of r.changed) console.log(`${c.from.slice(0, 8)} is now ${c.to.slice(0, 8)}, tags: ${c.tags.length === 0 ? '(none)' : c.tags.join(',')}`)
      console.log(`${r.changed.length} snapshots changed${r.unchanged > 0 ? `, ${r.unchanged} already so` : ''}`)
    })
}
