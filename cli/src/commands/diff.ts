import { Command } from 'commander'
import { formatBytes } from '@resilien/control'
import type { DiffEntry } from '@resilien/control'
import { connect, interruptSignal } from '../context.js'
import type { GlobalOptions } from '../context.js'
import { readPassword } from '../password.js'

export function diffCommand (): Command {
  return new Command('diff')
    .description('what changed between two snapshots: + added, - removed, M content, U metadata only, T type; --json prints one JSON object per line')
    .argument('<repo>', 'repository name')
    .argument('<from>', 'snapshot id, prefix, or "latest"')
    .argument('<to>', 'snapshot id, prefix, or "latest"')
    .action(async (repo: string, from: string, to: string, _opts: unknown, cmd: Command) => {
      const g = cmd.optsWithGlobals<GlobalOptions>()
      // Like restic's diff --json: one message per change, then the statistics.
      const print = g.json === true
        ? (e: DiffEntry) => process.stdout.write(JSON.stringify({ messageType: 'change', ...e }) + '\n')
        : (e: DiffEntry) => process.stdout.write(`${e.change.padEnd(5)}${e.path}${e.type === 'dir' ? '/' : ''}\n`)
      const r = await connect(g).call('diff', { repo, from, to, password: await readPassword(g) }, {
        signal: interruptSignal(),
        onItem: (item) => print(item as DiffEntry)
      })
      if (g.json === true) {
        process.stdout.write(JSON.stringify({ messageType: 'statistics', ...r }) + '\n')
        return
      }
      console.log(`\n${r.from.slice(0, 8)} -> ${r.to.slice(0, 8)}: ${r.added} added (${formatBytes(r.addedBytes)} in files), ${r.removed} removed (${formatBytes(r.removedBytes)}), ` +
        `${r.changed} changed, ${r.metadata} with new metadata only, ${r.typeChanged} of another type`)
    })
}
