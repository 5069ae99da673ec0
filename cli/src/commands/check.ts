import { Command, InvalidArgumentError } from 'commander'
import { formatBytes } from '@resilien/control'
import { connect, interruptSignal } from '../context.js'
import type { GlobalOptions } from '../context.js'
import { ExitCode, ExitWith } from '../errors.js'
import { createProgress, printJson } from '../output.js'
import { readPassword } from '../password.js'

function percentage (value: string): number {
  const m = /^(\d+(?:\.\d+)?)%?$/.exec(value.trim())
  const n = m === null ? NaN : Number(m[1])
  if (!(n > 0 && n <= 100)) throw new InvalidArgumentError('a percentage in (0, 100], e.g. 10%')
  return n / 100
}

export function checkCommand (): Command {
  return new Command('check')
    .description('check a repository (with its passphrase), or without one every shard of this cluster')
    .argument('[repo]', 'repository name')
    .option('--read-data', 're-read and verify all data')
    .option('--read-data-subset <percent>', 're-read and verify this share of the packs', percentage)
    .action(async (repo: string | undefined, opts: { readData?: boolean, readDataSubset?: number }, cmd: Command) => {
      const g = cmd.optsWithGlobals<GlobalOptions>()
      const password = repo === undefined ? undefined : await readPassword(g)
      const progress = createProgress({ json: g.json === true })
      let r
      try {
        r = await connect(g).call('check', {
          readData: opts.readData === true,
          ...(repo === undefined ? {} : { repo }),
          ...(password === undefined ? {} : { password }),
          ...(opts.readDataSubset === undefined ? {} : { readDataSubset: opts.readDataSubset })
        }, { signal: interruptSignal(), onProgress: (e) => progress.update(e) })
      } finally {
        progress.stop()
      }
      if (g.json === true) printJson(r)
      else {
        for (const p of r.problems) console.log(`${p.kind}: ${p.message}`)
        for (const u of r.unreachable) console.log(`not checked: ${u.shards} shards on ${u.name ?? u.site}, which could not be reached (check again once it is back; repair rebuilds them elsewhere after the grace period)`)
        console.log(`${r.ok ? 'no problems found' : `${r.problems.length} problems found`}: ${r.snapshots} snapshots, ${r.packs} packs, ${r.shardsRead} shards read (${formatBytes(r.bytesRead)})`)
      }
      if (!r.ok) throw new ExitWith(ExitCode.failure, `check found ${r.problems.length} problems`)
      const unchecked = r.unreachable.reduce((n, u) => n + u.shards, 0)
      if (unchecked > 0) throw new ExitWith(ExitCode.partial, `check found no problem, but ${unchecked} shards on sites that could not be reached were not checked`)
    })
}
