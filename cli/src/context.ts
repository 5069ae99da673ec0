import { homedir } from 'node:os'
import { isAbsolute, join } from 'node:path'
import { createControlClient, CONTROL_SOCKET_NAME } from '@resilien/control'
import type { ControlClient } from '@resilien/control'
import type * as NodeModule from '@resilien/node'
import { userPath } from './user-path.js'

/** Options every command accepts. */
export interface GlobalOptions {
  data?: string
  json?: boolean
  passwordFile?: string
}

/** --data, else RESILIEN_DATA, else $XDG_DATA_HOME/resilien (~/.local/share/resilien). */
export function dataDir (options: GlobalOptions): string {
  if (options.data !== undefined) return userPath(options.data, '--data')
  if (process.env.RESILIEN_DATA !== undefined) return userPath(process.env.RESILIEN_DATA, 'RESILIEN_DATA')
  // The XDG spec: an empty or relative XDG_DATA_HOME is ignored.
  const xdg = process.env.XDG_DATA_HOME
  return join(xdg !== undefined && isAbsolute(xdg) ? xdg : join(homedir(), '.local', 'share'), 'resilien')
}

export function connect (options: GlobalOptions): ControlClient {
  return createControlClient(join(dataDir(options), CONTROL_SOCKET_NAME))
}

let interrupted = false
/** What an interruption leaves, when it is not "nothing was committed" (set as the command learns it). */
let interruptOutcome: string | undefined

/** The line an interruption of this command prints from now on. */
export function noteInterruptOutcome (line: string): void {
  interruptOutcome = line
}

export function interruptedLine (): string | undefined {
  return interruptOutcome
}

/**
 * Whether Ctrl-C or SIGTERM aborted a request of this command. Its error then takes many forms
 * (an AbortError before the node answered, a reset stream once the answer had begun), and each
 * means the same: the command was interrupted.
 */
export function wasInterrupted (): boolean {
  return interrupted
}

/** Aborted on Ctrl-C or SIGTERM, so the node abandons the request cleanly. */
export function interruptSignal (): AbortSignal {
  const controller = new AbortController()
  const onSignal = (): void => {
    interrupted = true
    controller.abort(new Error('interrupted'))
  }
  process.once('SIGINT', onSignal)
  process.once('SIGTERM', onSignal)
  return controller.signal
}

/**
 * The site node's code (libp2p, LevelDB, the engines), loaded only by the commands that run or
 * make a node (`start`, `init`, `join`): every other command only talks to the control socket,
 * and loading it all cost each of them about half a second and 40 MiB.
 */
export async function loadNode (): Promise<typeof NodeModule> {
  return await import('@resilien/node')
}
