import { Command } from 'commander'
import { formatBytes } from '@resilien/control'
import { connect } from '../context.js'
import type { GlobalOptions } from '../context.js'
import { printJson } from '../output.js'
import { readPassword } from '../password.js'

/** "3.2x" for a ratio, "-" when there is nothing to divide by. */
function ratio (a: number, b: number): string {
  return b === 0 ? '-' : `${(a / b).toFixed(1)}x`
}

export function statsCommand (): Command {
  return new Command('stats')
    .description('how large a repository is: what its snapshots restore to, and what its packs take on the sites')
    .argument('<repo>', 'repository name')
    .action(async (repo: string, _opts: unknown, cmd: Command) => {
      const g = cmd.optsWithGlobals<GlobalOptions>()
      const r = await connect(g).call('stats', { repo, password: await readPassword(g) })
      if (g.json === true) return printJson(r)
      console.log(`snapshots:           ${r.snapshots}`)
      if (r.latest !== undefined) console.log(`latest:              ${r.latest.id.slice(0, 8)} (${r.latest.time.slice(0, 19).replace('T', ' ')}), ${r.latest.files} files, ${formatBytes(r.latest.bytes)}`)
      console.log(`all snapshots:       ${formatBytes(r.restoreBytes)} if each were restored`)
      console.log(`packs:               ${r.packs}, ${formatBytes(r.packedBytes)} (deduplicated and compressed: ${ratio(r.restoreBytes, r.packedBytes)} smaller)`)
      console.log(`on the sites:        ${formatBytes(r.storedBytes)} with ${r.k}+${r.m} parity`)
    })
}
