import { closeSync, constants, fstatSync, openSync, readSync } from 'node:fs'
import { open } from 'node:fs/promises'

/** An open file read at given positions; its calls return a value or a promise of one (await both). */
export interface FileReader {
  read: (into: Uint8Array, offset: number, length: number, position: number) => number | Promise<number>
  close: () => void | Promise<void>
}

/**
 * A backup opens what its listing called a regular file; by then it may have been replaced. Not
 * followed if it is a symbolic link now (the snapshot would hold another file's bytes under this
 * name), and not waited on if it is a FIFO now (an open without O_NONBLOCK waits for a writer
 * forever; on a regular file the flag changes nothing).
 */
const OPEN_FLAGS = constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK

/** The error for a path that is no longer a regular file: it has a code, so a backup warns and goes on. */
function notRegularFile (path: Buffer): NodeJS.ErrnoException {
  return Object.assign(new Error(`${path.toString()} is no longer a regular file (it changed since it was listed)`), { code: 'EFTYPE' })
}

/** ELOOP from O_NOFOLLOW means a symbolic link: said as such. */
function explained (err: unknown, path: Buffer): unknown {
  return (err as NodeJS.ErrnoException).code === 'ELOOP' ? notRegularFile(path) : err
}

/**
 * Opens the regular file `path` for positioned reads. `blocking` reads with synchronous calls:
 * for a thread of its own (a seal worker), where each call through libuv's pool would cost two
 * thread wake-ups, which on a VM take longer than reading a MiB from the page cache (measured: a
 * worker's reads of 270 MB in 859 files took 1.1-1.9 s of waiting with promises, 0.4-0.6 s with
 * blocking calls). The main thread, which also serves other sites, reads with promises.
 */
export async function openFileReader (path: Uint8Array, blocking: boolean): Promise<FileReader> {
  const name = Buffer.from(path)
  if (blocking) {
    let fd: number
    try {
      fd = openSync(name, OPEN_FLAGS)
    } catch (err) {
      throw explained(err, name)
    }
    if (!fstatSync(fd).isFile()) {
      closeSync(fd)
      throw notRegularFile(name)
    }
    return {
      read: (into, offset, length, position) => readSync(fd, into, offset, length, position),
      close: () => closeSync(fd)
    }
  }
  const handle = await open(name, OPEN_FLAGS).catch((err: unknown) => { throw explained(err, name) })
  if (!(await handle.stat()).isFile()) {
    await handle.close()
    throw notRegularFile(name)
  }
  return {
    read: async (into, offset, length, position) => (await handle.read(into, offset, length, position)).bytesRead,
    close: async () => handle.close()
  }
}
