import { spawnSync } from 'node:child_process'
import { setTimeout as sleep } from 'node:timers/promises'

/**
 * Writes back every dirty page of the file system that holds `path` (coreutils `sync -f`, i.e.
 * syncfs). A restored tree is not fsynced by resilien or restic, so without this the tree one
 * tool just restored is written back during the next tool's timed step. Untimed; false where
 * `sync -f` is missing or failed (the figures then carry that write-back).
 */
export function syncFileSystem (path: string): boolean {
  return spawnSync('sync', ['-f', path], { stdio: 'ignore' }).status === 0
}

/**
 * After a large deletion on a file system that skips recently freed inodes (storageNote in
 * machine.ts): writes back, so that the window is its 60 s minimum, then waits until `windowMs`
 * past `deletedAt` (a Date.now() value), so that the next timed run creates its files as a fresh
 * run would. Returns the milliseconds waited.
 */
export async function waitOutFreedInodes (path: string, deletedAt: number, windowMs = 61_000): Promise<number> {
  syncFileSystem(path)
  const left = deletedAt + windowMs - Date.now()
  if (left > 0) await sleep(left)
  return Math.max(0, left)
}
