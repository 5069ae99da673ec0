import { Command } from 'commander'
import { connect } from '../context.js'
import type { GlobalOptions } from '../context.js'
import { printJson } from '../output.js'

function retireCommand (name: string, lost: boolean, description: string): Command {
  return new Command(name)
    .description(description)
    .argument('<site>', 'the site name')
    .action(async (site: string, _opts: unknown, cmd: Command) => {
      const g = cmd.optsWithGlobals<GlobalOptions>()
      const result = await connect(g).call('site-retire', { name: site, lost })
      if (g.json === true) return printJson(result)
      if (result.warning !== undefined) console.error(`warning: ${result.warning}`)
      console.log(lost
        ? `site ${result.name} is declared lost: it is refused from now on, and repair rebuilds its shards on the other sites`
        : `site ${result.name} is retiring: repair moves its shards to the other sites; stop it once \`resilien status\` shows 0 bytes on it`)
    })
}

export function siteCommand (): Command {
  return new Command('site')
    .description('retire a site or declare it lost')
    .addCommand(retireCommand('retire', false, 'drain a site that still runs: its shards move to the others'))
    .addCommand(retireCommand('lost', true, 'declare a dead site gone at once (no grace period): its shards are rebuilt elsewhere'))
}

export function repairCommand (): Command {
  return new Command('repair')
    .description('run one repair pass now: rebuild shards of sites that are gone (the node also does it on its own)')
    .action(async (_opts: unknown, cmd: Command) => {
      const g = cmd.optsWithGlobals<GlobalOptions>()
      const r = await connect(g).call('repair', {})
      if (g.json === true) return printJson(r)
      console.log(`${r.needing} stripes need repair: ${r.moved} shards rebuilt here, ${r.spread} spread to another failure domain, ${r.rebalanced} moved here to even the load, ${r.leftToOthers} stripes left to other sites, ${r.failed} failed, ${r.unrepairable} cannot be rebuilt now`)
    })
}
