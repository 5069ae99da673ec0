import { closeSync, openSync, readSync, readdirSync } from 'node:fs'
import { join } from 'node:path'

const READ_BYTES = 1024 * 1024

/** Bytes read from the file at `path`; 0 for one that cannot be read (the backups will say so). */
function readWhole (path: string, buffer: Buffer): number {
  let fd: number
  try {
    fd = openSync(path, 'r')
  } catch {
    return 0
  }
  let bytes = 0
  try {
    for (let n = readSync(fd, buffer, 0, READ_BYTES, null); n > 0; n = readSync(fd, buffer, 0, READ_BYTES, null)) bytes += n
  } catch {
    // A file that vanished or fails midway is left to the tools under test.
  } finally {
    closeSync(fd)
  }
  return bytes
}

/**
 * Reads every regular file below `root` once, so that the page cache holds the tree when a timed
 * phase starts. The bench runs resilien before restic on the same tree: without this, whichever
 * runs first reads what the kernel has dropped since the tree was written and the second finds
 * it cached again (measured on the reference VM: its page cache lost 130 of 270 MB within 20 s
 * of idleness). Warming before each tool gives both the same start.
 */
export function warmTree (root: string): number {
  const buffer = Buffer.allocUnsafe(READ_BYTES)
  let bytes = 0
  const walk = (dir: string): void => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const p = join(dir, e.name)
      if (e.isDirectory()) walk(p)
      else if (e.isFile()) bytes += readWhole(p, buffer)
    }
  }
  walk(root)
  return bytes
}
