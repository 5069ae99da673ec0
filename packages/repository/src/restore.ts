import { chmod, lchown, lutimes, mkdir, open, rm, symlink, utimes, lstat } from 'node:fs/promises'
import type { FileHandle } from 'node:fs/promises'
import { execFile } from 'node:child_process'
import { constants as fsConstants } from 'node:fs'
import { promisify } from 'node:util'
import { resolve as resolvePath } from 'node:path'
import { NotFoundError } from '@resilien/types'
import type { AbortOptions, RestoreResult } from '@resilien/types'
import { BlobType } from './format.js'
import type { Repository } from './repository.js'
import { displayName, nodeNameBytes, nodeTargetBytes } from './tree.js'
import { isAllZero } from './zero-bytes.js'
import { Limiter, mapConcurrent } from './limiter.js'
import type { TreeNode } from './tree.js'

/** Chunk reads in flight per file: overlaps shard reads with decryption and writes. */
export const RESTORE_READ_AHEAD = 4
/** Files restored at once across the whole walk: small files are dominated by open/write/close latency. */
export const RESTORE_FILES_IN_FLIGHT = 8
/** Sub-folders of one folder restored at once: a tree of many small folders is latency bound too. */
export const RESTORE_SUBDIRS_IN_FLIGHT = 4

export interface RestoreProgress {
  files: number
  dirs: number
  bytes: number
  totalFiles: number
  totalBytes: number
  current?: string
}

export interface RestoreOptions extends AbortOptions {
  /** `latest`, an id or an id prefix. */
  snapshot: string
  target: string
  /** Paths inside the snapshot (e.g. /home/ann/docs); only these and what is below them are restored. */
  include?: string[]
  onProgress?: (p: RestoreProgress) => void
  onWarning?: (message: string) => void
}


const execFileAsync = promisify(execFile)
const SLASH = Buffer.from('/')
const isRoot = process.getuid?.() === 0


/** Zero runs of at least this many aligned bytes become holes instead of written zeros (the file system block). */
export const SPARSE_BLOCK = 4096

/**
 * Writes the non-zero parts of `data` at `position`, leaving aligned zero blocks as holes, so a
 * sparse file (a VM image, a database file) comes back sparse.
 */
async function writeSparse (handle: FileHandle, data: Uint8Array, position: number): Promise<void> {
  if (isAllZero(data)) return
  let runStart = -1
  let offset = 0
  while (offset < data.byteLength) {
    // Blocks aligned to the file position, so holes line up with the file system's blocks.
    const blockEnd = Math.min(data.byteLength, offset + SPARSE_BLOCK - ((position + offset) % SPARSE_BLOCK))
    const zero = isAllZero(data.subarray(offset, blockEnd))
    if (!zero && runStart < 0) runStart = offset
    if (zero && runStart >= 0) {
      await handle.write(data, runStart, offset - runStart, position + runStart)
      runStart = -1
    }
    offset = blockEnd
  }
  if (runStart >= 0) await handle.write(data, runStart, data.byteLength - runStart, position + runStart)
}

/** Create-only: never follows a symlink at the target and never writes into another hard link. */
const CREATE_EXCLUSIVE = fsConstants.O_WRONLY | fsConstants.O_CREAT | fsConstants.O_EXCL

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

function nsToSeconds (ns: string): number {
  return Number(BigInt(ns)) / 1e9
}

/** Where a snapshot path sits relative to the include list. */
type Selection = 'all' | 'partial' | 'none'

function splitPath (p: string): Buffer[] {
  return p.split('/').filter((c) => c !== '' && c !== '.').map((c) => Buffer.from(c))
}

/**
 * Restores a snapshot, or the parts named by `include`, below `target`. Every chunk is
 * verified (seal, decompression, chunk id) before it is written; runs of zero chunks become
 * holes (sparse files). Metadata (mode, owner when running as root, mtime) is applied after
 * the content, and to folders after their children, so writing into them does not change it.
 *
 * Not guaranteed: an interrupted restore leaves partly written files (run it again); hard links
 * come back as separate files; sockets are not recreated.
 */
export async function restore (repo: Repository, options: RestoreOptions): Promise<RestoreResult> {
  const started = process.hrtime.bigint()
  const signal = options.signal
  const snapshot = await repo.findSnapshot(options.snapshot)
  const target = Buffer.from(resolvePath(options.target))
  const includes = (options.include ?? []).map(splitPath)
  const warnings: string[] = []
  const warn = (message: string): void => {
    if (warnings.length < 100) warnings.push(message)
    options.onWarning?.(message)
  }
  const totals = { files: 0, bytes: 0 }
  const done = { files: 0, dirs: 0, bytes: 0 }
  const progress = (current?: string): void => {
    options.onProgress?.({ ...done, totalFiles: totals.files, totalBytes: totals.bytes, ...(current === undefined ? {} : { current }) })
  }

  const select = (components: Buffer[]): Selection => {
    if (includes.length === 0) return 'all'
    let partial = false
    for (const inc of includes) {
      const n = Math.min(inc.length, components.length)
      let same = true
      for (let i = 0; i < n && same; i++) same = (inc[i] as Buffer).equals(components[i] as Buffer)
      if (!same) continue
      if (components.length >= inc.length) return 'all'
      partial = true
    }
    return partial ? 'partial' : 'none'
  }

  await mkdir(target, { recursive: true })
  const fileSlots = new Limiter(RESTORE_FILES_IN_FLIGHT)

  const restoreFile = async (node: TreeNode, dest: Buffer): Promise<void> => {
    const ids = node.content ?? []
    // One index round trip for the whole file instead of one per chunk.
    const locations = await repo.index.getMany(ids.map((id) => Buffer.from(id, 'hex')))
    const handle = await createExclusive(dest)
    try {
      let position = 0
      const reads: Array<Promise<Uint8Array>> = []
      const start = (i: number): void => {
        const id = ids[i]
        if (id === undefined) return
        const location = locations[i]
        const read = location === undefined
          ? Promise.reject(new NotFoundError('chunk', id, `chunk ${id} of ${dest.toString()} is not in the index`))
          : repo.reader.read({ id: Buffer.from(id, 'hex'), type: BlobType.data, pack: location.pack, offset: location.offset, length: location.length }, { ...(signal === undefined ? {} : { signal }), wholeShards: true })
        // Handled when awaited in order; this keeps an early failure from counting as unhandled.
        read.catch(() => {})
        reads.push(read)
      }
      for (let i = 0; i < Math.min(RESTORE_READ_AHEAD, ids.length); i++) start(i)
      for (let i = 0; i < ids.length; i++) {
        const data = await (reads.shift() as Promise<Uint8Array>)
        start(i + RESTORE_READ_AHEAD)
        await writeSparse(handle, data, position)
        position += data.byteLength
        done.bytes += data.byteLength
      }
      // Trailing zero chunks were skipped: the length makes them a hole.
      await handle.truncate(position)
      if (position !== node.size) warn(`${dest.toString()}: restored ${position} bytes, the snapshot says ${node.size}`)
      if (isRoot) await handle.chown(node.uid, node.gid)
      await handle.chmod(node.mode)
    } finally {
      await handle.close()
    }
    await utimes(dest, nsToSeconds(node.mtimeNs), nsToSeconds(node.mtimeNs))
  }

  const restoreSpecial = async (node: TreeNode, dest: Buffer): Promise<void> => {
    await rm(dest, { force: true }).catch(() => {})
    switch (node.type) {
      case 'symlink':
        await symlink(nodeTargetBytes(node), dest)
        if (isRoot) await lchown(dest, node.uid, node.gid)
        await lutimes(dest, nsToSeconds(node.mtimeNs), nsToSeconds(node.mtimeNs))
        return
      case 'fifo':
        await execFileAsync('mkfifo', ['-m', (node.mode & 0o777).toString(8), dest.toString()])
        break
      case 'chardev':
      case 'blockdev': {
        if (!isRoot || node.rdev === undefined) {
          warn(`${dest.toString()}: device nodes are restored only as root`)
          return
        }
        const major = Math.floor(node.rdev / 256) & 0xfff
        const minor = (node.rdev & 0xff) | ((node.rdev >> 12) & 0xfff00)
        await execFileAsync('mknod', ['-m', (node.mode & 0o777).toString(8), dest.toString(), node.type === 'chardev' ? 'c' : 'b', String(major), String(minor)])
        break
      }
      default:
        // Sockets belong to the process that made them; restic skips them too.
        return
    }
    if (isRoot) await lchown(dest, node.uid, node.gid)
    await utimes(dest, nsToSeconds(node.mtimeNs), nsToSeconds(node.mtimeNs))
  }

  const walkTree = async (ids: string[], destDir: Buffer, components: Buffer[], count: boolean): Promise<void> => {
    const tree = await repo.loadTree(ids, options)
    const selected: Array<{ node: TreeNode, path: Buffer[], selection: Selection }> = []
    for (const node of tree.nodes) {
      const path = [...components, nodeNameBytes(node)]
      const selection = select(path)
      if (selection !== 'none') selected.push({ node, path, selection })
    }
    if (count) {
      for (const { node, path, selection } of selected) {
        if (node.type === 'file' && selection === 'all') {
          totals.files++
          totals.bytes += node.size
        } else if (node.type === 'dir' && node.subtree !== undefined) {
          await walkTree(node.subtree, destDir, path, true)
        }
      }
      return
    }
    const attempt = async (dest: Buffer, work: () => Promise<void>): Promise<void> => {
      try {
        await work()
      } catch (err) {
        if (signal?.aborted === true) throw err
        // File system problems at the target are reported and the restore goes on; data errors stop it.
        if ((err as NodeJS.ErrnoException).code === undefined) throw err
        warn(`${dest.toString()}: ${(err as Error).message}`)
      }
    }
    const destOf = (node: TreeNode): Buffer => Buffer.concat([destDir, SLASH, nodeNameBytes(node)])
    // Files and other leaves several at a time; folders one after another (bounded by depth).
    await mapConcurrent(selected.filter((e) => e.node.type !== 'dir' && e.selection === 'all'), RESTORE_FILES_IN_FLIGHT, async ({ node }) => fileSlots.run(async () => {
      signal?.throwIfAborted()
      const dest = destOf(node)
      await attempt(dest, async () => {
        if (node.type === 'file') {
          await restoreFile(node, dest)
          done.files++
          progress(displayName(node))
        } else {
          await restoreSpecial(node, dest)
        }
      })
    }))
    await mapConcurrent(selected.filter((e) => e.node.type === 'dir'), RESTORE_SUBDIRS_IN_FLIGHT, async ({ node, path }) => {
      signal?.throwIfAborted()
      const dest = destOf(node)
      await attempt(dest, async () => {
        await mkdir(dest, { recursive: true, mode: 0o700 })
        done.dirs++
        if (node.subtree !== undefined) await walkTree(node.subtree, dest, path, false)
        if (isRoot) await lchown(dest, node.uid, node.gid)
        await chmod(dest, node.mode)
        await utimes(dest, nsToSeconds(node.mtimeNs), nsToSeconds(node.mtimeNs))
      })
    })
  }

  // First pass counts what will be restored, for the progress bar; trees are small next to data.
  await walkTree(snapshot.record.tree, target, [], true)
  if (includes.length > 0 && totals.files === 0) {
    const found = await anyIncludeExists(repo, snapshot.record.tree, includes)
    if (!found) warn(`nothing in snapshot ${snapshot.id.slice(0, 8)} matches the include paths`)
  }
  await walkTree(snapshot.record.tree, target, [], false)
  await lstat(target)
  return {
    snapshot: snapshot.id,
    files: done.files,
    dirs: done.dirs,
    bytes: done.bytes,
    seconds: Number(process.hrtime.bigint() - started) / 1e9,
    warnings
  }
}

async function anyIncludeExists (repo: Repository, root: string[], includes: Buffer[][]): Promise<boolean> {
  for (const inc of includes) {
    let ids: string[] | undefined = root
    let found = true
    for (const component of inc) {
      if (ids === undefined) { found = false; break }
      const tree = await repo.loadTree(ids)
      const node = tree.nodes.find((n) => nodeNameBytes(n).equals(component))
      if (node === undefined) { found = false; break }
      ids = node.subtree
    }
    if (found) return true
  }
  return false
}
