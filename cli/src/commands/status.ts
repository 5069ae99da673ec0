import { Command } from 'commander'
import { formatBytes } from '@resilien/control'
import { connect } from '../context.js'
import type { GlobalOptions } from '../context.js'
import { printJson } from '../output.js'

export function statusCommand (): Command {
  return new Command('status')
    .description('sites, their liveness, and the redundancy of every stripe')
    .action(async (_opts: unknown, cmd: Command) => {
      const g = cmd.optsWithGlobals<GlobalOptions>()
      const status = await connect(g).call('status', {})
      if (g.json === true) return printJson(status)
      console.log('sites:')
      for (const s of status.sites) {
        console.log(`  ${s.name.padEnd(16)} ${s.up ? 'up  ' : 'DOWN'} zone ${s.zone.padEnd(12)} ${formatBytes(s.storedBytes).padStart(10)} stored  ${s.peerId}${s.up || s.lastSeen === null ? '' : `  last seen ${s.lastSeen}`}`)
      }
      const r = status.redundancy
      console.log(`stripes: ${r.stripes} (full ${r.full}, degraded ${r.degraded}, at risk ${r.atRisk}, lost ${r.lost})`)
      for (const w of status.warnings) console.log(`warning: ${w}`)
    })
}
