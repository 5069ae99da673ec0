import { Command } from 'commander'
import { formatBytes } from '@resilien/control'
import { connect, interruptSignal } from '../context.js'
import type { GlobalOptions } from '../context.js'
import { ExitCode, ExitWith } from '../errors.js'
import { createProgress, printJson } from '../output.js'
import { readPassword } from '../password.js'
import { collect } from '../repeatable.js'
import { userPath } from '../user-path.js'

export function restoreCommand (): Command {
  return new Command('restore')
    .description('restore a snapshot (or parts of it) into a folder')
    .argument('<repo>', 'repository name')
    .argument('<snapshot>', 'snapshot id, prefix, or "latest"')
    .requiredOption('--target <dir>', 'folder to restore into')
    .option('--include <path>', 'restore only this path of the snapshot (repeatable)', collect, [])
    .option('--exclude <pattern>', 'do not restore matching paths (repeatable; backup\'s rules, e.g. "*.tmp", "/home/ann/cache")', collect, [])
    .option('--verify', 'then read every restored file back and check it against the snapshot\'s chunk ids')
    .action(async (repo: string, snapshot: string, opts: { target: string, include: string[], exclude: string[], verify?: boolean }, cmd: Command) => {
      const g = cmd.optsWithGlobals<GlobalOptions>()
      const target = userPath(opts.target, '--target')
      const password = await readPassword(g)
      const progress = createProgress({ json: g.json === true })
      let r
      try {
        r = await connect(g).call('restore', { repo, snapshot, password, target, include: opts.include, ...(opts.exclude.length === 0 ? {} : { exclude: opts.exclude }), ...(opts.verify === true ? { verify: true } : {}) }, {
          signal: interruptSignal(),
          onProgress: (e) => progress.update(e)
        })
      } finally {
        progress.stop()
      }
      if (g.json === true) printJson(r)
      else {
        for (const w of r.warnings) console.error(`warning: ${w}`)
        // Nothing selected: the target was not even made, so no line may say it was restored to.
        if (r.files === 0 && r.dirs === 0 && r.bytes === 0 && r.warnings.length > 0) console.log(`restored nothing from snapshot ${r.snapshot.slice(0, 8)}`)
        else console.log(`restored snapshot ${r.snapshot.slice(0, 8)}: ${r.files} files, ${r.dirs} dirs, ${formatBytes(r.bytes)} in ${r.seconds.toFixed(1)} s to ${target}`)
        if (r.verified !== undefined) console.log(`verified ${r.verified.files} files, ${formatBytes(r.verified.bytes)}: read back as the snapshot has them`)
      }
      if (r.warnings.length > 0) throw new ExitWith(ExitCode.partial)
    })
}
