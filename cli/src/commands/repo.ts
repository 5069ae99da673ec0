import { Command, InvalidArgumentError } from 'commander'
import { connect } from '../context.js'
import type { GlobalOptions } from '../context.js'
import { printJson } from '../output.js'
import { readPassword } from '../password.js'

function integer (value: string): number {
  const n = Number(value)
  if (!Number.isSafeInteger(n)) throw new InvalidArgumentError('not an integer')
  return n
}

export function repoCommand (): Command {
  const repo = new Command('repo').description('manage repositories')
  repo.command('create <name>')
    .description('create a repository, protected by a new passphrase')
    .option('--k <k>', 'data shards per pack', integer)
    .option('--m <m>', 'parity shards per pack', integer)
    .action(async (name: string, opts: { k?: number, m?: number }, cmd: Command) => {
      const g = cmd.optsWithGlobals<GlobalOptions>()
      const password = await readPassword(g, 'new repository passphrase: ')
      const r = await connect(g).call('repo-create', { name, password, ...(opts.k === undefined ? {} : { k: opts.k }), ...(opts.m === undefined ? {} : { m: opts.m }) })
      if (g.json === true) return printJson(r)
      for (const w of r.warnings) console.error(`warning: ${w}`)
      console.log(`repository ${r.name} created (${r.repo.slice(0, 16)}), packs coded as ${r.k} data + ${r.m} parity shards`)
    })
  return repo
}
