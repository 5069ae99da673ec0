import { Command } from 'commander'
import { wholeNumber } from '../numbers.js'
import { connect } from '../context.js'
import type { GlobalOptions } from '../context.js'
import { printJson } from '../output.js'
import { readNewPassword, readPassword } from '../password.js'

export function repoCommand (): Command {
  const repo = new Command('repo').description('manage repositories')
  repo.command('create <name>')
    .description('create a repository, protected by a new passphrase')
    .option('--k <k>', 'data shards per pack (at least 1)', wholeNumber(1))
    .option('--m <m>', 'parity shards per pack', wholeNumber(0))
    .action(async (name: string, opts: { k?: number, m?: number }, cmd: Command) => {
      const g = cmd.optsWithGlobals<GlobalOptions>()
      const password = await readPassword(g, 'new repository passphrase: ')
      const r = await connect(g).call('repo-create', { name, password, ...(opts.k === undefined ? {} : { k: opts.k }), ...(opts.m === undefined ? {} : { m: opts.m }) })
      if (g.json === true) return printJson(r)
      for (const w of r.warnings) console.error(`warning: ${w}`)
      console.log(`repository ${r.name} created (${r.repo.slice(0, 16)}), packs coded as ${r.k} data + ${r.m} parity shards`)
    })
  repo.command('list')
    .description('the repositories of this cluster (no passphrase needed)')
    .action(async (_opts: unknown, cmd: Command) => {
      const g = cmd.optsWithGlobals<GlobalOptions>()
      const r = await connect(g).call('repo-list', {})
      if (g.json === true) return printJson(r.repos)
      if (r.repos.length === 0) {
        console.log('no repository yet: `resilien repo create NAME`')
        return
      }
      console.log(`${'name'.padEnd(16)} ${'id'.padEnd(18)} ${'k+m'.padEnd(5)} ${'snapshots'.padEnd(10)} ${'keys'.padEnd(5)} created`)
      for (const x of r.repos) {
        console.log(`${x.name.padEnd(16)} ${x.repo.slice(0, 16).padEnd(18)} ${`${x.k}+${x.m}`.padEnd(5)} ${String(x.snapshots).padEnd(10)} ${String(x.keySlots).padEnd(5)} ${x.created.slice(0, 19).replace('T', ' ')} by ${x.createdBy}`)
      }
    })
  repo.addCommand(keyCommand())
  return repo
}

/** One line per key slot; the one the passphrase given opens is marked. */
function printSlots (keys: ReadonlyArray<{ keyId: string, current: boolean }>): void {
  for (const k of keys) console.log(`${k.current ? '*' : ' '} ${k.keyId}`)
}

function keyCommand (): Command {
  const key = new Command('key').description('the passphrases that open a repository (one key slot each)')
  key.command('list <repo>')
    .description('list the key slots (* marks the one the passphrase given opens)')
    .action(async (repo: string, _opts: unknown, cmd: Command) => {
      const g = cmd.optsWithGlobals<GlobalOptions>()
      const r = await connect(g).call('repo-key', { repo, password: await readPassword(g), op: 'list' })
      if (g.json === true) return printJson(r)
      printSlots(r.keys)
    })
  key.command('add <repo>')
    .description('let one more passphrase open the repository (e.g. one per administrator)')
    .option('--new-password-file <file>', 'read the new passphrase from the first line of this file (else $RESILIEN_NEW_PASSWORD, else typed twice)')
    .action(async (repo: string, opts: { newPasswordFile?: string }, cmd: Command) => {
      const g = cmd.optsWithGlobals<GlobalOptions>()
      const password = await readPassword(g)
      const newPassword = await readNewPassword(opts)
      const r = await connect(g).call('repo-key', { repo, password, op: 'add', newPassword })
      if (g.json === true) return printJson(r)
      console.log(`key slot ${r.keyId ?? ''} added: the new passphrase opens repository ${repo}`)
    })
  key.command('remove <repo> <key-id>')
    .description('stop a passphrase from opening the repository (see the README: its old key stays in the catalog\'s history)')
    .action(async (repo: string, keyId: string, _opts: unknown, cmd: Command) => {
      const g = cmd.optsWithGlobals<GlobalOptions>()
      const r = await connect(g).call('repo-key', { repo, password: await readPassword(g), op: 'remove', keyId })
      if (g.json === true) return printJson(r)
      console.log(`key slot ${r.keyId ?? keyId} removed; ${r.keys.length} left`)
    })
  return key
}
