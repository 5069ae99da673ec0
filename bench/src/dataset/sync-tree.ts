import { copyFileSync, lstatSync, mkdirSync, readdirSync, readlinkSync, rmSync, symlinkSync, utimesSync } from 'node:fs'
import { join } from 'node:path'

/**
 * Makes `to` a copy of `from` (an existing corpus, e.g. a day of ../shared/corpus), copying only
 * files whose size or mtime differ and deleting what `from` lacks: unchanged files keep their
 * inode and ctime, so a backup tool sees the same "next day" it would see on the real site.
 * Returns the bytes copied.
 */
export function syncTree (from: string, to: string): number {
  let copied = 0
  const walk = (src: string, dst: string): void => {
    mkdirSync(dst, { recursive: true })
    const wanted = new Set(readdirSync(src))
    for (const name of readdirSync(dst)) if (!wanted.has(name)) rmSync(join(dst, name), { recursive: true, force: true })
    for (const name of wanted) {
      const s = join(src, name)
      const d = join(dst, name)
      const st = lstatSync(s)
      const dt = lstatSync(d, { throwIfNoEntry: false })
      if (st.isDirectory()) {
        if (dt !== undefined && !dt.isDirectory()) rmSync(d, { force: true })
        walk(s, d)
      } else if (st.isSymbolicLink()) {
        if (dt !== undefined) rmSync(d, { recursive: true, force: true })
        symlinkSync(readlinkSync(s), d)
      } else if (st.isFile()) {
        if (dt?.isFile() === true && dt.size === st.size && Math.floor(dt.mtimeMs) === Math.floor(st.mtimeMs)) continue
        if (dt !== undefined) rmSync(d, { recursive: true, force: true })
        copyFileSync(s, d)
        utimesSync(d, st.atime, st.mtime)
        copied += st.size
      }
    }
  }
  walk(from, to)
  return copied
}
