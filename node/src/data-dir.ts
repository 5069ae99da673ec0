import { join } from 'node:path'
import { CONTROL_SOCKET_NAME } from '@resilien/control'

/** Where everything of a site lives inside its data dir. */
export interface DataDirLayout {
  root: string
  store: string
  catalog: string
  /** Local caches of key holders (chunk indexes), rebuilt from the repository when lost. */
  cache: string
  socket: string
}

export function dataDirLayout (root: string): DataDirLayout {
  return {
    root,
    store: join(root, 'store'),
    catalog: join(root, 'catalog'),
    cache: join(root, 'cache'),
    socket: join(root, CONTROL_SOCKET_NAME)
  }
}
