import { closeSync, openSync, readSync } from 'node:fs'
import { open } from 'node:fs/promises'

/** An open file read at given positions; its calls return a value or a promise of one (await both). */
export interface FileReader {
  read: (into: Uint8Array, offset: number, length: number, position: number) => number | Promise<number>
  close: () => void | Promise<void>
}

/**
 * Opens `path` for positioned reads. `blocking` reads with synchronous calls: for a thread of its
 * own (a seal worker), where each call through libuv's pool would cost two thread wake-ups, which
 * on a VM take longer than reading a MiB from the page cache (measured: a worker's reads of 270 MB
 * in 859 files took 1.1-1.9 s of waiting with promises, 0.4-0.6 s with blocking calls). The main
 * thread, which also serves other sites, reads with promises.
 */
export async function openFileReader (path: Uint8Array, blocking: boolean): Promise<FileReader> {
  const name = Buffer.from(path)
  if (blocking) {
    const fd = openSync(name, 'r')
    return {
      read: (into, offset, length, position) => readSync(fd, into, offset, length, position),
      close: () => closeSync(fd)
    }
  }
  const handle = await open(name, 'r')
  return {
    read: async (into, offset, length, position) => (await handle.read(into, offset, length, position)).bytesRead,
    close: async () => handle.close()
  }
}
