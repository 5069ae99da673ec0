import { Command } from 'commander'
import { connect } from '../context.js'
import type { GlobalOptions } from '../context.js'
import { printJson } from '../output.js'

export function inviteCommand (): Command {
  return new Command('invite')
    .description('print a one-time token that lets a new machine join this cluster (`resilien join TOKEN`)')
    .action(async (_opts: unknown, cmd: Command) => {
      const g = cmd.optsWithGlobals<GlobalOptions>()
      const invite = await connect(g).call('invite', {})
      if (g.json === true) return printJson(invite)
      // The token alone on stdout, so `TOKEN=$(resilien invite)` works; the rest on stderr.
      console.log(invite.token)
      process.stderr.write(`valid once, until ${invite.expires}; on the new machine: resilien join TOKEN --data DIR --name NAME --listen MULTIADDR\n`)
    })
}
