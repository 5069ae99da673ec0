import { Command } from 'commander'
import { connect } from '../context.js'
import type { GlobalOptions } from '../context.js'
import { printJson } from '../output.js'
import { readPassword } from '../password.js'
import { filterSnapshots, latestPerSeries } from '../snapshot-filter.js'
import type { SnapshotFilterOptions } from '../snapshot-filter.js'
import { collect } from '../repeatable.js'
import { wholeNumber } from '../numbers.js'

export function snapshotsCommand (): Command {
  return new Command('snapshots')
    .description('list the snapshots of a repository')
    .argument('<repo>', 'repository name')
    .option('--host <host>', 'only snapshots made on this host (repeatable: any of them)', collect, [])
    .option('--tag <tags>', 'only snapshots with all of these comma-separated tags (repeatable: any of the lists)', collect, [])
    .option('--path <path>', 'only snapshots of this path (repeatable: all of them)', collect, [])
    .option('--latest <n>', 'only the n newest snapshots of each host and paths series', wholeNumber(1))
    .action(async (repo: string, opts: SnapshotFilterOptions & { latest?: number }, cmd: Command) => {
      const g = cmd.optsWithGlobals<GlobalOptions>()
      const r = await connect(g).call('snapshots', { repo, password: await readPassword(g) })
      const filtered = filterSnapshots(r.snapshots, opts)
      const snapshots = opts.latest === undefined ? filtered : latestPerSeries(filtered, opts.latest)
      // Warnings go to stderr also with --json: stdout stays the array scripts parse.
      for (const w of r.warnings) console.error(`warning: ${w}`)
      if (g.json === true) return printJson(snapshots)
      console.log(`${'id'.padEnd(10)} ${'time'.padEnd(20)} ${'host'.padEnd(14)} ${'tags'.padEnd(14)} paths`)
      for (const s of snapshots) {
        console.log(`${s.id.slice(0, 8).padEnd(10)} ${s.time.slice(0, 19).replace('T', ' ').padEnd(20)} ${s.host.padEnd(14)} ${s.tags.join(',').padEnd(14)} ${s.paths.join(' ')}${s.degraded ? '  (degraded)' : ''}`)
      }
      console.log(`${snapshots.length} snapshots${snapshots.length < r.snapshots.length ? ` (of ${r.snapshots.length})` : ''}`)
    })
}
