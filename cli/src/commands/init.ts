import { Command } from 'commander'
import { dataDir, loadNode } from '../context.js'
import type { GlobalOptions } from '../context.js'
import { printJson } from '../output.js'

export function initCommand (): Command {
  return new Command('init')
    .description('make a new cluster with this machine as its first site')
    .requiredOption('--name <name>', 'name of this site')
    .requiredOption('--listen <multiaddr...>', 'addresses to listen on, e.g. /ip4/0.0.0.0/tcp/7420')
    .option('--announce <multiaddr...>', 'addresses the other sites dial, if not the listen ones (e.g. /dns4/home.example.org/tcp/7420 behind a forwarded port)')
    .option('--zone <zone>', 'failure domain above the site (default: the site name)')
    .action(async (opts: { name: string, listen: string[], announce?: string[], zone?: string }, cmd: Command) => {
      const g = cmd.optsWithGlobals<GlobalOptions>()
      const dir = dataDir(g)
      const result = await (await loadNode()).initSite({ dataDir: dir, name: opts.name, listen: opts.listen, ...(opts.announce === undefined ? {} : { announce: opts.announce }), ...(opts.zone === undefined ? {} : { zone: opts.zone }) })
      if (g.json === true) printJson({ ...result, dataDir: dir })
      else console.log(`site ${result.name} created in ${dir}\npeer id ${result.peerId}\ncluster ${result.cluster}\nstart it with: resilien start --data ${dir}`)
    })
}
