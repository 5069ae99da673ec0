import { Command, InvalidArgumentError } from 'commander'
import { formatBytes, parseSize } from '@resilien/control'
import { isPlainFileName } from '@resilien/types'
import { connect, interruptSignal, noteInterruptOutcome } from '../context.js'
import type { GlobalOptions } from '../context.js'
import { ExitCode, ExitWith, UsageError } from '../errors.js'
import { createProgress, printJson } from '../output.js'
import { readPassword } from '../password.js'
import { collect, collectTags } from '../repeatable.js'
import { readExcludeFiles } from '../exclude-files.js'
import { userPath } from '../user-path.js'

interface BackupOptions {
  tag: string[]
  exclude: string[]
  excludeFile: string[]
  oneFileSystem?: boolean
  excludeIfPresent: string[]
  excludeCaches?: boolean
  excludeLargerThan?: number
  host?: string
  stdinFromCommand?: string
  stdinFilename?: string
  allowDegraded?: boolean
  /** false with --no-scan (commander's negated option). */
  scan: boolean
  dryRun?: boolean
}


export function backupCommand (): Command {
  return new Command('backup')
    .description('back up paths (or a command\'s output) into a new snapshot')
    .argument('<repo>', 'repository name')
    .argument('[paths...]', 'files and folders')
    .option('--tag <tags>', 'tag the snapshot (repeatable; commas separate tags, as with restic: --tag daily,db)', collectTags, [])
    .option('--host <host>', 'host name recorded in the snapshot (default: this machine\'s)')
    .option('--stdin-from-command <command>', 'store the standard output of this shell command as a file')
    .option('--stdin-filename <name>', 'the file name for --stdin-from-command (stored at the snapshot\'s root)')
    .option('--exclude <pattern>', 'leave out matching paths (repeatable; restic\'s rules: "/..." is anchored at the root, anything else matches at any depth, e.g. "*.tmp", "cache"; a backup whose every path is excluded is refused)', collect, [])
    .option('--exclude-file <file>', 'read exclude patterns from a file, one per line; blank lines and lines starting with # are ignored (repeatable)', collect, [])
    .option('--exclude-if-present <file[:header]>', 'leave out the content of folders that hold this file (starting with HEADER, if given); the file itself stays (repeatable)', collect, [])
    .option('--exclude-caches', 'leave out the content of folders tagged as caches (a CACHEDIR.TAG file with its signature)')
    .option('--exclude-larger-than <size>', 'leave out files larger than SIZE (e.g. 2GiB, 500MB)', (text: string) => {
      try {
        return parseSize(text, '--exclude-larger-than')
      } catch (err) {
        throw new InvalidArgumentError((err as Error).message)
      }
    })
    .option('-x, --one-file-system', 'stay on the file system of each path: a mount point below it (external storage, a network share) is kept as an empty folder')
    .option('--allow-degraded', 'commit even when the snapshot would not survive the loss of a site')
    .option('-n, --dry-run', 'read and compare as a backup does, but store nothing and make no snapshot: says what a backup would add')
    .option('--no-scan', 'do not count the files and bytes first: progress then shows no total and no ETA, and a first backup does not walk the paths twice (implied by --json, which shows no progress)')
    .action(async (repo: string, paths: string[], opts: BackupOptions, cmd: Command) => {
      const g = cmd.optsWithGlobals<GlobalOptions>()
      if (paths.length === 0 && opts.stdinFromCommand === undefined) throw new UsageError('give at least one path to back up, or --stdin-from-command')
      // The node checks this too; here it is a bad command line (exit 2), before any passphrase prompt.
      if (opts.stdinFromCommand !== undefined && !isPlainFileName(opts.stdinFilename ?? '')) {
        throw new UsageError('--stdin-from-command needs --stdin-filename NAME (a plain file name: no "/", not "." or "..")')
      }
      const absolute = paths.map((p) => userPath(p, 'a path to back up'))
      const exclude = [...opts.exclude, ...await readExcludeFiles(opts.excludeFile)]
      const password = await readPassword(g)
      const progress = createProgress({ json: g.json === true })
      let result
      try {
        result = await connect(g).call('backup', {
          repo,
          password,
          paths: absolute,
          tags: opts.tag,
          ...(exclude.length === 0 ? {} : { exclude }),
          ...(opts.oneFileSystem === true ? { oneFileSystem: true } : {}),
          ...(opts.excludeIfPresent.length === 0 ? {} : { excludeIfPresent: opts.excludeIfPresent }),
          ...(opts.excludeCaches === true ? { excludeCaches: true } : {}),
          ...(opts.excludeLargerThan === undefined ? {} : { excludeLargerThan: opts.excludeLargerThan }),
          ...(opts.host === undefined ? {} : { host: opts.host }),
          ...(opts.stdinFromCommand === undefined ? {} : { stdinCommand: opts.stdinFromCommand, stdinFilename: opts.stdinFilename ?? '' }),
          ...(opts.allowDegraded === true ? { allowDegraded: true } : {}),
          ...(opts.scan === false || g.json === true ? { noScan: true } : {}),
          ...(opts.dryRun === true ? { dryRun: true } : {})
        }, {
          signal: interruptSignal(),
          onProgress: (e) => {
            if (e.snapshot !== undefined) noteInterruptOutcome(`interrupted after snapshot ${e.snapshot.slice(0, 8)} was recorded on this site, before a second site confirmed it: the other sites take it at their next sync (see \`resilien snapshots\`)`)
            progress.update(e)
          }
        })
      } finally {
        progress.stop()
      }
      if (g.json === true) {
        printJson({ id: result.snapshot, ...result })
      } else {
        const s = result.stats
        for (const w of result.warnings) console.error(`warning: ${w}`)
        const dry = result.dryRun === true
        const parent = result.parent === undefined ? '' : ` (parent ${result.parent.slice(0, 8)})`
        console.log(dry ? `dry run: nothing was stored and no snapshot was made${parent}` : `snapshot ${result.snapshot} saved${parent}`)
        console.log(`files: ${s.files} (${s.unchangedFiles} unchanged), dirs: ${s.dirs}, ${formatBytes(s.totalBytes)} in ${dry ? 'the snapshot it would make' : 'snapshot'}`)
        console.log(`${dry ? 'would add' : 'added'} ${formatBytes(s.newBytes)} in ${s.newChunks} new chunks, ${formatBytes(s.packedBytes)} packed, ${formatBytes(s.storedBytes)} stored in ${s.packs} packs, ${s.seconds.toFixed(1)} s`)
        if (result.degraded) console.error('warning: this snapshot does not survive the loss of a site yet (too few sites); see `resilien status`')
      }
      if (result.warnings.length > 0) throw new ExitWith(ExitCode.partial)
    })
}
