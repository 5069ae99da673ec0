/**
 * A name that can stand alone in a folder: not empty, not "." or "..", no "/" and no NUL, at most
 * 255 bytes (what Linux file systems take). The file name of a streamed backup
 * (--stdin-filename, a job's command source) must be one: it becomes an entry at the snapshot's
 * root, and a restore joins it to the target.
 */
export function isPlainFileName (name: string): boolean {
  return name !== '' && name !== '.' && name !== '..' && !/[/\0]/.test(name) && Buffer.byteLength(name) <= 255
}
