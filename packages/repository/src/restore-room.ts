import { lstatSync, rmdirSync, unlinkSync } from 'node:fs'

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
