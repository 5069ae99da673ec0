import { constants, lstatSync, readdirSync } from 'node:fs'
import type { BigIntStats } from 'node:fs'
import { lstat, readdir } from 'node:fs/promises'
import { mapConcurrent } from './limiter.js'
import type { NodeType, TreeNode } from './tree.js'
import type { Exclusion } from './exclude-rules.js'

/**
 * What a backup keeps of an entry's lstat, in a tree node's units: plain data, so that a
 * listing can cross threads. `mode` is the whole st_mode (file type too), `rdev` always there;
 * `dev`, the file system it is on, only decides where a one-file-system walk stops.
 */
export type EntryStat = Pick<TreeNode, 'uid' | 'gid' | 'size' | 'mtimeNs' | 'ctimeNs' | 'inode'> & {
  mode: number
  rdev: number
  dev: number
}

/** An entry of a folder: its stat, or why it could not be taken. */
export interface ListedEntry {
  name: Uint8Array
  stat?: EntryStat
  error?: string
}

/** A folder's entries in name byte order, or why it could not be read (then there are none). */
export interface DirListing {
  entries: ListedEntry[]
  error?: string
}

export function entryStat (st: BigIntStats): EntryStat {
  return {
    mode: Number(st.mode),
    uid: Number(st.uid),
    gid: Number(st.gid),
    size: Number(st.size),
    mtimeNs: st.mtimeNs.toString(),
    ctimeNs: st.ctimeNs.toString(),
    inode: Number(st.ino),
    rdev: Number(st.rdev),
    dev: Number(st.dev)
  }
}

const TYPES: ReadonlyArray<[number, NodeType]> = [
  [constants.S_IFREG, 'file'],
  [constants.S_IFDIR, 'dir'],
  [constants.S_IFLNK, 'symlink'],
  [constants.S_IFIFO, 'fifo'],
  [constants.S_IFSOCK, 'socket'],
  [constants.S_IFCHR, 'chardev'],
  [constants.S_IFBLK, 'blockdev']
]

export function entryType (st: EntryStat): NodeType {
  const format = st.mode & constants.S_IFMT
  return TYPES.find(([bits]) => bits === format)?.[1] ?? 'blockdev'
}

/** dir/name, with one slash also when dir is the root. */
export function joinPath (dir: Uint8Array, name: Uint8Array): Buffer {
  const slash = dir.byteLength > 0 && dir[dir.byteLength - 1] === 0x2f
  return Buffer.concat(slash ? [dir, name] : [dir, Buffer.from('/'), name])
}

function messageOf (err: unknown): string {
  return err instanceof Error ? err.message : String(err)
}

/**
 * Lists a folder and lstats its entries with blocking calls: for a thread of its own (a seal
 * worker), where one message per folder replaces a round trip through libuv's pool per entry.
 * On this VM each such round trip costs two thread wake-ups, more than the lstat itself: an
 * unchanged backup of 2,400 entries spent a third of its time there.
 */
export function listDirSync (dir: Uint8Array): DirListing {
  let names: Buffer[]
  try {
    names = readdirSync(Buffer.from(dir.buffer, dir.byteOffset, dir.byteLength), { encoding: 'buffer' })
  } catch (err) {
    return { entries: [], error: messageOf(err) }
  }
  names.sort(Buffer.compare)
  return {
    entries: names.map((name) => {
      try {
        return { name, stat: entryStat(lstatSync(joinPath(dir, name), { bigint: true })) }
      } catch (err) {
        return { name, error: messageOf(err) }
      }
    })
  }
}

/** listDirSync with the event loop's calls, `inFlight` lstats at a time: for the main thread. */
export async function listDir (dir: Uint8Array, inFlight: number): Promise<DirListing> {
  let names: Buffer[]
  try {
    names = await readdir(Buffer.from(dir.buffer, dir.byteOffset, dir.byteLength), { encoding: 'buffer' })
  } catch (err) {
    return { entries: [], error: messageOf(err) }
  }
  names.sort(Buffer.compare)
  return {
    entries: await mapConcurrent(names, inFlight, async (name) => {
      try {
        return { name, stat: entryStat(await lstat(joinPath(dir, name), { bigint: true })) }
      } catch (err) {
        return { name, error: messageOf(err) }
      }
    })
  }
}

/** listDir, with only the marker left in a folder that holds an exclusion marker. */
export async function listDirExcluding (dir: Uint8Array, inFlight: number, exclusion: Exclusion): Promise<DirListing> {
  const listing = await listDir(dir, inFlight)
  return { ...listing, entries: exclusion.entries(dir, listing.entries) }
}

/** A folder's listing, named by its path. */
export interface PathListing {
  path: Uint8Array
  listing: DirListing
}

/** Entries after which a subtree listing stops taking further folders (the first is always whole). */
export const MAX_ENTRIES_PER_LISTING = 4096

/**
 * `dir` and folders below it, depth first, until `maxDirs` folders or MAX_ENTRIES_PER_LISTING
 * entries are listed: the folders a backup walks next, in one message (a small-folder tree such
 * as a Nextcloud data folder has about one entry per folder, so a message per folder costs as
 * much as one per entry). A folder the backup would not walk is not listed: one that is
 * excluded, whose lstat failed or, with `oneFileSystem`, that is on another file system than
 * `dir` (a mount point: the backup keeps it as an empty folder). A folder holding an exclusion
 * marker is listed with the marker alone.
 */
export function listTreeSync (dir: Uint8Array, maxDirs: number, exclusion: Exclusion, oneFileSystem = false): PathListing[] {
  const out: PathListing[] = []
  const stack: Uint8Array[] = [dir]
  const device = oneFileSystem ? deviceOf(dir) : undefined
  let entries = 0
  while (stack.length > 0 && out.length < maxDirs && entries < MAX_ENTRIES_PER_LISTING) {
    const path = stack.pop() as Uint8Array
    const listed = listDirSync(path)
    const listing = { ...listed, entries: exclusion.entries(path, listed.entries) }
    out.push({ path, listing })
    entries += listing.entries.length
    const below: Buffer[] = []
    for (const { name, stat } of listing.entries) {
      if (stat === undefined || entryType(stat) !== 'dir' || (device !== undefined && stat.dev !== device)) continue
      const child = joinPath(path, name)
      if (!exclusion.path(child.toString())) below.push(child)
    }
    // Reversed onto the stack, so the first sub-folder is listed next (the walk's own order).
    for (let i = below.length - 1; i >= 0; i--) stack.push(below[i] as Buffer)
  }
  return out
}

/** The file system `path` is on; undefined when it cannot be stat'ed (its listing says why). */
function deviceOf (path: Uint8Array): number | undefined {
  try {
    return Number(lstatSync(Buffer.from(path.buffer, path.byteOffset, path.byteLength)).dev)
  } catch {
    return undefined
  }
}
