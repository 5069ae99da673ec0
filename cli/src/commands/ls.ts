import { Command } from 'commander'
import type { LsEntry } from '@resilien/control'
import { connect, interruptSignal } from '../context.js'
import type { GlobalOptions } from '../context.js'
import { readPassword } from '../password.js'

/** Set-user-id, set-group-id and sticky bits, and the execute position each shows in (as ls -l does). */
const SPECIAL_BITS: ReadonlyArray<[bit: number, at: number, withX: string, withoutX: string]> = [[0o4000, 2, 's', 'S'], [0o2000, 5, 's', 'S'], [0o1000, 8, 't', 'T']]

export function modeString (e: LsEntry): string {
  const kind = { file: '-', dir: 'd', symlink: 'l', fifo: 'p', socket: 's', chardev: 'c', blockdev: 'b' }[e.type]
  const bits = 'rwxrwxrwx'.split('').map((c, i) => (e.mode & (1 << (8 - i))) !== 0 ? c : '-')
  for (const [bit, at, withX, withoutX] of SPECIAL_BITS) if ((e.mode & bit) !== 0) bits[at] = bits[at] === 'x' ? withX : withoutX
  return kind + bits.join('')
}

export function lsCommand (): Command {
  return new Command('ls')
    .description('list the files of a snapshot (below PATH); --json prints one JSON object per line')
    .argument('<repo>', 'repository name')
    .argument('<snapshot>', 'snapshot id, prefix, or "latest"')
    .argument('[path]', 'a folder or file inside the snapshot')
    .action(async (repo: string, snapshot: string, path: string | undefined, _opts: unknown, cmd: Command) => {
      const g = cmd.optsWithGlobals<GlobalOptions>()
      const print = g.json === true
        ? (e: LsEntry) => process.stdout.write(JSON.stringify(e) + '\n')
        : (e: LsEntry) => process.stdout.write(`${modeString(e)} ${String(e.size).padStart(12)} ${e.mtime.slice(0, 19).replace('T', ' ')} ${e.path}${e.target === undefined ? '' : ` -> ${e.target}`}\n`)
      await connect(g).call('ls', { repo, snapshot, password: await readPassword(g), ...(path === undefined ? {} : { path }) }, {
        signal: interruptSignal(),
        onItem: (item) => print(item as LsEntry)
      })
    })
}
