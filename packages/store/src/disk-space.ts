import { statfs } from 'node:fs/promises'
import { DiskFullError } from '@resilien/types'

/** Bytes an unprivileged process may still write on the file system that holds `path`. */
export async function availableBytes (path: string): Promise<number> {
  const stats = await statfs(path)
  return stats.bavail * stats.bsize
}

/** LevelDB reports a full disk in prose, as an IO error. */
const OUT_OF_SPACE_MESSAGE = /No space left on device|Disk quota exceeded/

/** ENOSPC (no space) and EDQUOT (quota exceeded) both mean: free space, then retry. */
export function isOutOfSpace (error: unknown): boolean {
  const { code, message } = (error ?? {}) as { code?: unknown, message?: unknown }
  return code === 'ENOSPC' || code === 'EDQUOT' || (typeof message === 'string' && OUT_OF_SPACE_MESSAGE.test(message))
}

/** The DiskFullError for a write of `needed` bytes that the file system refused. */
export async function outOfSpaceError (root: string, needed: number, error: unknown): Promise<DiskFullError> {
  const free = await availableBytes(root).catch(() => 0)
  const reason = error instanceof Error ? error.message : String(error)
  return new DiskFullError(root, needed, free, `out of space while storing ${needed} bytes in ${root} (${free} bytes free): ${reason}`)
}
