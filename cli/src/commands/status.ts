import { Command } from 'commander'
import { formatBytes } from '@resilien/control'
import { connect } from '../context.js'
import type { GlobalOptions } from '../context.js'
import { printJson } from '../output.js'

export function statusCommand (): Command {
  return new Command('status')
    .description('sites, their liveness, and the redundancy of every stripe')
    .option('--what-if <site>', 'also say whether every snapshot stays restorable if SITE goes dark')
    .action(async (opts: { whatIf?: string }, cmd: Command) => {
      const g = cmd.optsWithGlobals<GlobalOptions>()
      const status = await connect(g).call('status', opts.whatIf === undefined ? {} : { whatIf: opts.whatIf })
      if (g.json === true) return printJson(status)
      console.log('sites:')
      for (const s of status.sites) {
        console.log(`  ${s.name.padEnd(16)} ${s.up ? 'up  ' : 'DOWN'}${s.retiring ? ' retiring' : ''} zone ${s.zone.padEnd(12)} ${formatBytes(s.storedBytes).padStart(10)} stored  ${s.peerId}${s.up || s.lastSeen === null ? '' : `  last seen ${s.lastSeen}`}`)
      }
      const r = status.redundancy
      console.log(`stripes: ${r.stripes} (full ${r.full}, degraded ${r.degraded}, at risk ${r.atRisk}, lost ${r.lost})`)
      const w = status.whatIf
      if (w !== undefined) {
        console.log(`without ${w.site}: ${w.restorable ? 'every snapshot stays restorable' : `NOT every snapshot stays restorable: ${w.lost} stripes would be lost`}; ` +
          `${w.atRisk} stripes would be one failure from loss (full ${w.full}, degraded ${w.degraded}, at risk ${w.atRisk}, lost ${w.lost})`)
      }
      for (const line of status.warnings) console.log(`warning: ${line}`)
    })
}
