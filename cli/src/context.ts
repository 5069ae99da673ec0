import { homedir } from 'node:os'
import { join, resolve } from 'node:path'
import { createControlClient, CONTROL_SOCKET_NAME } from '@resilien/control'
import type { ControlClient } from '@resilien/control'

/** Options every command accepts. */
export interface GlobalOptions {
  data?: string
  json?: boolean
  passwordFile?: string
}

/** --data, else RESILIEN_DATA, else $XDG_DATA_HOME/resilien (~/.local/share/resilien). */
export function dataDir (options: GlobalOptions): string {
  const dir = options.data ?? process.env.RESILIEN_DATA ??
    join(process.env.XDG_DATA_HOME ?? join(homedir(), '.local', 'share'), 'resilien')
  return resolve(dir)
}

export function connect (options: GlobalOptions): ControlClient {
  return createControlClient(join(dataDir(options), CONTROL_SOCKET_NAME))
}

/** Aborted on Ctrl-C or SIGTERM, so the node abandons the request cleanly. */
export function interruptSignal (): AbortSignal {
  const controller = new AbortController()
  const onSignal = (): void => controller.abort(new Error('interrupted'))
  process.once('SIGINT', onSignal)
  process.once('SIGTERM', onSignal)
  return controller.signal
}
