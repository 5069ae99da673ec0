import { open, rm, utimes } from 'node:fs/promises'
import type { FileHandle } from 'node:fs/promises'
import { constants as fsConstants } from 'node:fs'
import type { TreeNode } from './tree.js'
import { isAllZero } from './zero-bytes.js'

/** Zero runs of at least this many aligned bytes become holes instead of written zeros (the file system block). */
export const SPARSE_BLOCK = 4096

/**
 * Files kept open between writes. A pack-ordered restore writes into many files in turn (each
 * pack holds pieces of several), and reopening for every chunk would cost a syscall pair each.
 */
export const OPEN_FILES = 64

const isRoot = process.getuid?.() === 0

/**
 * Writes the non-zero parts of `pieces`, which follow one another in the file from `position`,
 * leaving aligned zero blocks as holes, so a sparse file (a VM image, a database file) comes back
 * sparse. Each run of non-zero bytes leaves in one `writev`, however many pieces it spans: a
 * pack-ordered restore hands over a file's consecutive chunks together, and one thread-pool
 * round trip per 64 KiB chunk cost the restoring site more main-thread time than decrypting it.
 */
export async function writeSparse (handle: FileHandle, pieces: readonly Uint8Array[], position: number): Promise<void> {
  // The non-zero pieces waiting to be written, contiguous from runStart (never empty pieces).
  let run: Uint8Array[] = []
  let runStart = 0
  const flush = async (): Promise<void> => {
    if (run.length > 0) await writeAllAt(handle, run, runStart)
    run = []
  }
  let at = position
  for (const data of pieces) {
    if (isAllZero(data)) {
      await flush()
      at += data.byteLength
      continue
    }
    let offset = 0
    let kept = -1
    while (offset < data.byteLength) {
      // Blocks aligned to the file position, so holes line up with the file system's blocks.
      const blockEnd = Math.min(data.byteLength, offset + SPARSE_BLOCK - ((at + offset) % SPARSE_BLOCK))
      const zero = isAllZero(data.subarray(offset, blockEnd))
      if (!zero && kept < 0) {
        kept = offset
        if (run.length === 0) runStart = at + offset
      }
      if (zero && kept >= 0) {
        run.push(data.subarray(kept, offset))
        kept = -1
        await flush()
      }
      offset = blockEnd
    }
    if (kept >= 0) run.push(data.subarray(kept))
    at += data.byteLength
  }
  await flush()
}

/** Writes every byte of `buffers` at `position`, going on after a short write. */
async function writeAllAt (handle: FileHandle, buffers: Uint8Array[], position: number): Promise<void> {
  let rest = buffers
  let at = position
  while (rest.length > 0) {
    let { bytesWritten } = await handle.writev(rest, at)
    at += bytesWritten
    const left: Uint8Array[] = []
    for (const b of rest) {
      if (bytesWritten >= b.byteLength) {
        bytesWritten -= b.byteLength
        continue
      }
      left.push(bytesWritten > 0 ? b.subarray(bytesWritten) : b)
      bytesWritten = 0
    }
    rest = left
  }
}

/** Create-only: never follows a symlink at the target and never writes into another hard link. */
const CREATE_EXCLUSIVE = fsConstants.O_WRONLY | fsConstants.O_CREAT | fsConstants.O_EXCL
/** Reopening a file this restore created: still never through a symlink put there since. */
const REOPEN = fsConstants.O_WRONLY | fsConstants.O_NOFOLLOW

/**
 * A new file at `dest`. Whatever is there already (a file, a symlink) is removed first, so the
 * restore never writes through a link; in an empty target (the usual case) that costs nothing.
 */
async function createExclusive (dest: Buffer): Promise<FileHandle> {
  try {
    return await open(dest, CREATE_EXCLUSIVE, 0o600)
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err
    await rm(dest, { force: true, recursive: false })
    return await open(dest, CREATE_EXCLUSIVE, 0o600)
  }
}

export function nsToSeconds (ns: string): number {
  return Number(BigInt(ns)) / 1e9
}

/** One regular file being restored; its chunks may arrive in any order and over several windows. */
export class FileJob {
  /** Chunk writes not done yet (over every window the file spans). */
  remaining: number
  /** Where the next planned chunk starts: plaintext lengths are known once the index is read. */
  nextPosition = 0
  created = false
  /** A file system error was reported for it: its remaining chunks are read but not written. */
  failed = false

  constructor (readonly node: TreeNode, readonly dest: Buffer) {
    this.remaining = node.content?.length ?? 0
  }
}

interface OpenEntry {
  handle: Promise<FileHandle>
  users: number
}

/**
 * The open handles of files being restored, at most about `limit` (files in use are never
 * closed under a write), least recently used closed first. A file is created exclusively the
 * first time, reopened without following links after that.
 */
export class OpenFiles {
  private readonly entries = new Map<FileJob, OpenEntry>()

  constructor (private readonly limit = OPEN_FILES) {}

  /** Runs `work` with the file's handle open. */
  async with<T> (file: FileJob, work: (handle: FileHandle) => Promise<T>): Promise<T> {
    let entry = this.entries.get(file)
    if (entry === undefined) {
      const first = !file.created
      file.created = true
      entry = { handle: first ? createExclusive(file.dest) : open(file.dest, REOPEN), users: 0 }
      // Failed opens are not cached: the caller sees the error once.
      entry.handle.catch(() => this.entries.delete(file))
    } else {
      this.entries.delete(file)
    }
    this.entries.set(file, entry)
    entry.users++
    try {
      return await work(await entry.handle)
    } finally {
      entry.users--
      await this.trim()
    }
  }

  /** Closes the file's handle now (it is finished). */
  async close (file: FileJob): Promise<void> {
    const entry = this.entries.get(file)
    if (entry === undefined) return
    this.entries.delete(file)
    await (await entry.handle).close()
  }

  /** Closes every handle (end of the restore, or after a failure). */
  async closeAll (): Promise<void> {
    const all = [...this.entries.values()]
    this.entries.clear()
    await Promise.all(all.map(async (e) => { await (await e.handle.catch(() => undefined))?.close() }))
  }

  private async trim (): Promise<void> {
    if (this.entries.size <= this.limit) return
    for (const [file, entry] of this.entries) {
      if (this.entries.size <= this.limit) break
      if (entry.users > 0) continue
      this.entries.delete(file)
      await (await entry.handle.catch(() => undefined))?.close()
    }
  }
}

/**
 * Ends a file: the length (trailing zero chunks were never written: they become a hole), owner
 * when running as root, mode, then the mtime last so nothing changes it afterwards. Returns the
 * restored length.
 */
export async function finishFile (files: OpenFiles, file: FileJob): Promise<number> {
  const { node, dest } = file
  await files.with(file, async (handle) => {
    await handle.truncate(file.nextPosition)
    if (isRoot) await handle.chown(node.uid, node.gid)
    await handle.chmod(node.mode)
  })
  await files.close(file)
  await utimes(dest, nsToSeconds(node.mtimeNs), nsToSeconds(node.mtimeNs))
  return file.nextPosition
}
