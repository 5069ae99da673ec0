import { Command } from 'commander'
import { dataDir, loadNode } from '../context.js'
import type { GlobalOptions } from '../context.js'
import { printJson } from '../output.js'

export function joinCommand (): Command {
  return new Command('join')
    .description('make this machine a new site of the cluster that issued TOKEN')
    .argument('<token>', 'the line `resilien invite` printed on a member')
    .requiredOption('--name <name>', 'name of this site, unique in the cluster')
    .requiredOption('--listen <multiaddr...>', 'addresses to listen on, e.g. /ip4/0.0.0.0/tcp/7420')
    .option('--announce <multiaddr...>', 'addresses the other sites dial, if not the listen ones (e.g. /dns4/home.example.org/tcp/7420 behind a forwarded port)')
    .option('--zone <zone>', 'failure domain above the site (default: the site name)')
    .action(async (token: string, opts: { name: string, listen: string[], announce?: string[], zone?: string }, cmd: Command) => {
      const g = cmd.optsWithGlobals<GlobalOptions>()
      const dir = dataDir(g)
      const result = await (await loadNode()).joinSite({ token, dataDir: dir, name: opts.name, listen: opts.listen, ...(opts.announce === undefined ? {} : { announce: opts.announce }), ...(opts.zone === undefined ? {} : { zone: opts.zone }) })
      if (g.json === true) printJson({ ...result, dataDir: dir })
      else console.log(`site ${result.name} joined cluster ${result.cluster}\npeer id ${result.peerId}\nstart it with: resilien start --data ${dir}`)
    })
}
