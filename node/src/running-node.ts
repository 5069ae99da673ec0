import { createConnection } from 'node:net'
import { InvalidInputError } from '@resilien/types'

/** How long a live node takes at most to accept a connection on its control socket. */
const PROBE_TIMEOUT_MS = 2000

/** Whether something accepts connections on the unix socket `path` (a stale file does not). */
export async function socketAnswers (path: string): Promise<boolean> {
  return await new Promise<boolean>((resolve) => {
    const socket = createConnection(path)
    const done = (answers: boolean): void => {
      socket.destroy()
      resolve(answers)
    }
    socket.setTimeout(PROBE_TIMEOUT_MS, () => { done(false) })
    socket.once('connect', () => { done(true) })
    socket.once('error', () => { done(false) })
  })
}

/**
 * Refuses a second node on a data dir with a line that says so. Without it, the second node
 * fails on the store's LevelDB lock, whose message names a file, not the cause.
 */
export async function refuseIfRunning (root: string, socket: string): Promise<void> {
  if (await socketAnswers(socket)) {
    throw new InvalidInputError(`a node is already running for ${root} (it answers on ${socket}): stop it first, or talk to it with \`resilien status --data ${root}\``)
  }
}
