import { lstatSync, rmdirSync, unlinkSync } from 'node:fs'
import { ResilienError } from '@resilien/types'

/**
 * Clears `dest` for a restored file, link or special file, without following anything there:
 * a file or link is removed, an empty folder too. A folder with something in it is left as it
 * is (the restore does not delete what it did not write) and the entry fails with one line.
 */
export function makeRoomSync (dest: Buffer): void {
  let isDir: boolean
  try {
    isDir = lstatSync(dest).isDirectory()
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return
    throw err
  }
  if (!isDir) {
    unlinkSync(dest)
    return
  }
  try {
    rmdirSync(dest)
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code
    if (code !== 'ENOTEMPTY' && code !== 'EEXIST') throw err
    throw Object.assign(new Error('a folder with files in it is in the way: it was left as it is, and this entry was not restored'), { code })
  }
}

/** The system codes of a full device or an exhausted quota. */
const FULL_DISK_CODES = new Set(['ENOSPC', 'EDQUOT'])

/**
 * A full disk under the target stops the restore with one line, where any other file system
 * error fails one entry: every later file would fail the same way, one warning each. Undefined
 * when `err` is not a full disk. The code is kept, so the error crosses from a worker as such.
 */
export function fullDiskError (dest: Buffer, err: unknown): (ResilienError & { code: string }) | undefined {
  const code = (err as NodeJS.ErrnoException).code
  if (code === undefined || !FULL_DISK_CODES.has(code)) return undefined
  const full = new ResilienError(`no space left on the device of ${dest.toString()}${code === 'EDQUOT' ? ' (quota)' : ''}: the restore stopped part way; free some space and run it again`, { permanent: false, cause: err })
  full.name = 'DiskFullError'
  return Object.assign(full, { code })
}

/** Whether a worker's reported code is a full disk (its message is then the whole story). */
export function isFullDiskCode (code: string | undefined): boolean {
  return code !== undefined && FULL_DISK_CODES.has(code)
}
