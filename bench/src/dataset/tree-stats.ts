import { lstatSync, readdirSync } from 'node:fs'
import { join } from 'node:path'

export interface TreeStats {
  files: number
  dirs: number
  bytes: number
}

/** Counts regular files, folders and file bytes below `root` (like `du -sb`, files only). */
export function treeStats (root: string): TreeStats {
  const stats: TreeStats = { files: 0, dirs: 0, bytes: 0 }
  const walk = (dir: string): void => {
    stats.dirs++
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const p = join(dir, e.name)
      if (e.isDirectory()) walk(p)
      else if (e.isFile()) {
        stats.files++
        stats.bytes += lstatSync(p).size
      }
    }
  }
  walk(root)
  return stats
}
