import '@resilien/polyfill'
import { Command, CommanderError } from 'commander'
import { ControlError, NodeNotRunningError } from '@resilien/control'
import { ResilienError } from '@resilien/types'
import { ExitCode, ExitWith, UsageError } from './errors.js'
import { interruptedLine, wasInterrupted } from './context.js'
import { initCommand } from './commands/init.js'
import { startCommand } from './commands/start.js'
import { statusCommand } from './commands/status.js'
import { repoCommand } from './commands/repo.js'
import { backupCommand } from './commands/backup.js'
import { snapshotsCommand } from './commands/snapshots.js'
import { lsCommand } from './commands/ls.js'
import { dumpCommand } from './commands/dump.js'
import { tagCommand } from './commands/tag.js'
import { rewriteCommand } from './commands/rewrite.js'
import { statsCommand } from './commands/stats.js'
import { diffCommand } from './commands/diff.js'
import { findCommand } from './commands/find.js'
import { restoreCommand } from './commands/restore.js'
import { checkCommand } from './commands/check.js'
import { inviteCommand } from './commands/invite.js'
import { joinCommand } from './commands/join.js'
import { repairCommand, siteCommand } from './commands/site.js'
import { forgetCommand, pruneCommand } from './commands/forget.js'
import { benchCommand } from './commands/bench.js'
import { jobsCommand } from './commands/jobs.js'
import { resilienVersion, versionCommand } from './commands/version.js'

export function buildProgram (): Command {
  const program = new Command('resilien')
    .description('peer-to-peer erasure-coded backups for a small hosting collective')
    .option('--data <dir>', 'data dir of the site (default: $RESILIEN_DATA, else ~/.local/share/resilien)')
    .option('--json', 'print machine-readable JSON')
    .option('--password-file <file>', 'read the repository passphrase from the first line of this file (else $RESILIEN_PASSWORD, else a prompt)')
    .version(resilienVersion(), '-V, --version', 'print the version')
    .showHelpAfterError(false)
    .exitOverride()
  for (const cmd of [initCommand(), inviteCommand(), joinCommand(), startCommand(), statusCommand(), repoCommand(), backupCommand(), snapshotsCommand(), lsCommand(), findCommand(), diffCommand(), restoreCommand(), dumpCommand(), checkCommand(), siteCommand(), repairCommand(), forgetCommand(), tagCommand(), rewriteCommand(), pruneCommand(), statsCommand(), jobsCommand(), benchCommand(), versionCommand()]) {
    program.addCommand(cmd)
  }
  // Every command at every depth (repo key remove): a usage error is ours to report (exit 2).
  const overrideAll = (cmd: Command): void => {
    cmd.exitOverride()
    for (const sub of cmd.commands) overrideAll(sub)
  }
  overrideAll(program)
  return program
}

function errorLine (err: unknown, command: string | undefined): { line: string, code: number } {
  if (err instanceof UsageError) return { line: err.message, code: ExitCode.usage }
  // Ctrl-C or SIGTERM aborted the request to the node (an AbortError with code ABORT_ERR, the
  // node's own AbortError, or a reset stream once the node had begun to answer): it drops it.
  if (wasInterrupted() || (err instanceof Error && err.name === 'AbortError')) {
    const line = interruptedLine() ?? (command === 'restore' ? 'interrupted: the restore stopped part way; run it again to finish it' : 'interrupted; nothing was committed')
    return { line, code: ExitCode.interrupted }
  }
  if (err instanceof NodeNotRunningError) return { line: err.message, code: ExitCode.failure }
  if (err instanceof ControlError) {
    // The command's own Ctrl-C was taken above: an abort the node reports is its own shutdown.
    return { line: err.message, code: ExitCode.failure }
  }
  if (err instanceof ResilienError) return { line: err.message, code: ExitCode.failure }
  if (err instanceof Error && (err as NodeJS.ErrnoException).code !== undefined) return { line: err.message, code: ExitCode.failure }
  return { line: `internal error: ${err instanceof Error ? err.stack ?? err.message : String(err)}`, code: ExitCode.failure }
}

/** Global options whose value is the next word. */
const OPTIONS_WITH_VALUE = new Set(['--data', '--password-file'])

/**
 * A reader that stops early (`resilien ls ... | head`) closes our stdout: Node then raises
 * EPIPE on the next write, which would end in a stack trace. A command has nothing more to say
 * to that reader and exits quietly; a node (`start`) only loses its log and keeps serving.
 */
function quietOnClosedOutput (command: string | undefined): void {
  const serving = command === 'start'
  for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', (err: NodeJS.ErrnoException) => {
      if (err.code !== 'EPIPE') throw err
      if (!serving) process.exit(process.exitCode ?? ExitCode.ok)
    })
  }
}

/** Runs the command line; resolves to the exit code. Errors become one line on stderr. */
export async function run (argv: string[]): Promise<number> {
  // The command is the first word that is neither an option nor a global option's value.
  const command = argv.find((arg, i) => !arg.startsWith('-') && !OPTIONS_WITH_VALUE.has(argv[i - 1] ?? ''))
  quietOnClosedOutput(command)
  try {
    await buildProgram().parseAsync(argv, { from: 'user' })
    return ExitCode.ok
  } catch (err) {
    if (err instanceof CommanderError) {
      // Commander printed its message already (usage, unknown option); help and version exit 0.
      return err.exitCode === 0 ? ExitCode.ok : ExitCode.usage
    }
    if (err instanceof ExitWith) {
      if (err.message !== '') process.stderr.write(`resilien: ${err.message}\n`)
      return err.code
    }
    const { line, code } = errorLine(err, command)
    process.stderr.write(`resilien: ${line}\n`)
    return code
  }
}

run(process.argv.slice(2)).then((code) => { process.exitCode = code }, (err: unknown) => {
  process.stderr.write(`resilien: internal error: ${String(err)}\n`)
  process.exitCode = ExitCode.failure
})
