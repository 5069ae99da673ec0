import { Command } from 'commander'
import type { FindEntry } from '@resilien/control'
import { connect, interruptSignal } from '../context.js'
import type { GlobalOptions } from '../context.js'
import { readPassword } from '../password.js'
import { collect } from '../repeatable.js'
import { modeString } from './ls.js'

export function findCommand (): Command {
  return new Command('find')
    .description('the files and folders whose path matches, in every snapshot (newest first); --json prints one JSON object per line')
    .argument('<repo>', 'repository name')
    .argument('<patterns...>', 'backup\'s exclude rules, matched against each path itself: "*.docx" at any depth, "/srv/www/cache" from the root')
    .option('--snapshot <snapshot>', 'only this snapshot (id, prefix or "latest"; repeatable)', collect, [])
    .action(async (repo: string, patterns: string[], opts: { snapshot: string[] }, cmd: Command) => {
      const g = cmd.optsWithGlobals<GlobalOptions>()
      const print = g.json === true
        ? (e: FindEntry) => process.stdout.write(JSON.stringify(e) + '\n')
        : (e: FindEntry) => process.stdout.write(`${e.snapshot.slice(0, 8)} ${modeString(e)} ${String(e.size).padStart(12)} ${e.mtime.slice(0, 19).replace('T', ' ')} ${e.path}${e.target === undefined ? '' : ` -> ${e.target}`}\n`)
      const r = await connect(g).call('find', { repo, patterns, password: await readPassword(g), ...(opts.snapshot.length === 0 ? {} : { snapshots: opts.snapshot }) }, {
        signal: interruptSignal(),
        onItem: (item) => print(item as FindEntry)
      })
      if (g.json !== true) console.error(`${r.matches} matches in ${r.snapshots} snapshots`)
    })
}
