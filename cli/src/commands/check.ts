import { Command, InvalidArgumentError } from 'commander'
import { formatBytes, parseDataSubset } from '@resilien/control'
import type { DataSubset } from '@resilien/types'
import { connect, interruptSignal } from '../context.js'
import type { GlobalOptions } from '../context.js'
import { ExitCode, ExitWith } from '../errors.js'
import { createProgress, printJson } from '../output.js'
import { readPassword } from '../password.js'

function dataSubset (value: string): DataSubset {
  try {
    return parseDataSubset(value)
  } catch (err) {
    throw new InvalidArgumentError((err as Error).message)
  }
}

export function checkCommand (): Command {
  return new Command('check')
    .description('check a repository (with its passphrase), or without one every shard of this cluster')
    .argument('[repo]', 'repository name')
    .option('--read-data', 're-read and verify all data')
    .option('--read-data-subset <subset>', 're-read and verify some of the packs: a share at random (10%), group n of t (1/7: run 1/7 to 7/7 on seven days to read every pack once), or random packs up to a size (500MiB)', dataSubset)
    .action(async (repo: string | undefined, opts: { readData?: boolean, readDataSubset?: DataSubset }, cmd: Command) => {
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
