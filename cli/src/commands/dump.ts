import { once } from 'node:events'
import { Command } from 'commander'
import { connect, interruptSignal } from '../context.js'
import type { GlobalOptions } from '../context.js'
import { UsageError } from '../errors.js'
import { counted } from '../output.js'
import { readPassword } from '../password.js'

/** Writes to standard output and waits while it is full, so the node sends no faster than the reader reads. */
async function writeOut (bytes: Buffer): Promise<void> {
  if (!process.stdout.write(bytes)) await once(process.stdout, 'drain')
}

export function dumpCommand (): Command {
  return new Command('dump')
    .description('write one file of a snapshot to standard output, e.g. a database dump into psql, or a folder as a tar archive (each chunk verified on the way)')
    .argument('<repo>', 'repository name')
    .argument('<snapshot>', 'snapshot id, prefix, or "latest"')
    .argument('<path>', 'the file inside the snapshot, e.g. /hedgedoc-db.sql, or a folder ("/" for the whole snapshot)')
    .option('-a, --archive <format>', 'format of a folder\'s archive: tar (POSIX, with pax headers where needed)', 'tar')
    .action(async (repo: string, snapshot: string, path: string, opts: { archive: string }, cmd: Command) => {
      const g = cmd.optsWithGlobals<GlobalOptions>()
      if (g.json === true) throw new UsageError('dump writes the file itself to standard output: --json does not apply')
      if (opts.archive !== 'tar') throw new UsageError(`--archive ${opts.archive}: only tar is supported (restic's zip is not)`)
      if (process.stdout.isTTY) throw new UsageError('standard output is a terminal: send the file elsewhere (resilien dump REPO SNAPSHOT PATH > FILE, | psql DATABASE, or | tar -x for a folder)')
      // A reader that stops early (| head) ends the command quietly, as for ls (main.ts).
      const result = await connect(g).call('dump', { repo, snapshot, path, password: await readPassword(g) }, {
        signal: interruptSignal(),
        onData: writeOut
      })
      const skipped = result.archive?.socketsSkipped ?? 0
      if (skipped > 0) process.stderr.write(`resilien: ${counted(skipped, 'socket')} left out of the archive (tar has no form for them)\n`)
    })
}
