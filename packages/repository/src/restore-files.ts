import { chmodSync, closeSync, constants as fsConstants, fchmodSync, fchownSync, ftruncateSync, futimesSync, lchownSync, openSync, utimesSync, writevSync } from 'node:fs'
import { makeRoomSync } from './restore-room.js'
import { isAllZero } from './zero-bytes.js'

/**
 * File writes of a restore. They are synchronous on purpose: they run in a seal-pool worker
 * (restore-sink.ts), a thread of their own with nothing else to serve, where a blocking call
 * costs nothing and an asynchronous one costs two thread wake-ups through libuv's pool, which on
 * a small VM cost more than the write.
 */

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
 * sparse. Each run of non-zero bytes leaves in one `writev`, however many pieces it spans.
 */
export function writeSparse (fd: number, pieces: readonly Uint8Array[], position: number): void {
  // The non-zero pieces waiting to be written, contiguous from runStart (never empty pieces).
  let run: Uint8Array[] = []
  let runStart = 0
  const flush = (): void => {
    if (run.length > 0) writeAllAt(fd, run, runStart)
    run = []
  }
  let at = position
  for (const data of pieces) {
    if (isAllZero(data)) {
      flush()
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
      if (zero) {
        // Any zero block ends the run, also one at the start of a piece: the run (from earlier
        // pieces) must not be joined to data beyond the hole, or that data lands too early.
        if (kept >= 0) run.push(data.subarray(kept, offset))
        kept = -1
        flush()
      }
      offset = blockEnd
    }
    if (kept >= 0) run.push(data.subarray(kept))
    at += data.byteLength
  }
  flush()
}

/** Writes every byte of `buffers` at `position`, going on after a short write. */
function writeAllAt (fd: number, buffers: Uint8Array[], position: number): void {
  let rest = buffers
  let at = position
  while (rest.length > 0) {
    let bytesWritten = writevSync(fd, rest, at)
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
 * A new file at `dest`. Whatever is there already (a file, a symlink, an empty folder) is removed
 * first, so the restore never writes through a link; in an empty target (the usual case) that
 * costs nothing.
 */
function createExclusive (dest: Buffer): number {
  try {
    return openSync(dest, CREATE_EXCLUSIVE, 0o600)
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err
    makeRoomSync(dest)
    return openSync(dest, CREATE_EXCLUSIVE, 0o600)
  }
}

export function nsToSeconds (ns: string): number {
  return Number(BigInt(ns)) / 1e9
}

/** The metadata a file gets once its last chunk is written. */
export interface FileMetadata {
  mode: number
  uid: number
  gid: number
  mtimeNs: string
}

/** One regular file being restored; its chunks may arrive in any order and over several windows. */
export class FileJob {
  /** Chunk writes not done yet (over every window the file spans). */
  remaining: number
  /** The file's length so far: the end of the furthest chunk placed (zero chunks are not written). */
  length = 0
  created = false
  /** A file system error was reported for it: its remaining chunks are read but not written. */
  failed = false
  /** Some of its data could not be read (failed too): it is removed once its chunks are all accounted for. */
  lost = false

  constructor (readonly dest: Buffer, chunks: number, readonly metadata: FileMetadata) {
    this.remaining = chunks
  }
}

/**
 * The open descriptors of files being restored, at most `limit`, least recently used closed
 * first. A file is created exclusively the first time, reopened without following links after.
 */
export class OpenFiles {
  private readonly fds = new Map<FileJob, number>()

  constructor (private readonly limit = OPEN_FILES) {}

  /** The file's descriptor, opened (or created) when it is not open. */
  fd (file: FileJob): number {
    let fd = this.fds.get(file)
    if (fd === undefined) {
      const first = !file.created
      fd = first ? createExclusive(file.dest) : openSync(file.dest, REOPEN)
      file.created = true
      this.trim()
    } else {
      this.fds.delete(file)
    }
    this.fds.set(file, fd)
    return fd
  }

  close (file: FileJob): void {
    const fd = this.fds.get(file)
    if (fd === undefined) return
    this.fds.delete(file)
    closeSync(fd)
  }

  /** Closes every descriptor (end of the restore, or after a failure). */
  closeAll (): void {
    for (const fd of this.fds.values()) {
      try {
        closeSync(fd)
      } catch {}
    }
    this.fds.clear()
  }

  /** Makes room for one more. */
  private trim (): void {
    for (const file of this.fds.keys()) {
      if (this.fds.size < this.limit) break
      this.close(file)
    }
  }
}

/**
 * Ends a file: the length (trailing zero chunks were never written: they become a hole), owner
 * when running as root, mode, then the mtime last so nothing changes it afterwards.
 */
export function finishFile (files: OpenFiles, file: FileJob): void {
  const fd = files.fd(file)
  const { mode, uid, gid, mtimeNs } = file.metadata
  ftruncateSync(fd, file.length)
  if (isRoot) fchownSync(fd, uid, gid)
  fchmodSync(fd, mode)
  const mtime = nsToSeconds(mtimeNs)
  futimesSync(fd, mtime, mtime)
  files.close(file)
}

/** A folder's owner (as root), mode and mtime, the mtime last. */
export function finishDir (dest: Buffer, metadata: FileMetadata): void {
  if (isRoot) lchownSync(dest, metadata.uid, metadata.gid)
  chmodSync(dest, metadata.mode)
  const mtime = nsToSeconds(metadata.mtimeNs)
  utimesSync(dest, mtime, mtime)
}
