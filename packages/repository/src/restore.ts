import { chmod, lchown, lutimes, mkdir, rm, symlink, utimes, lstat } from 'node:fs/promises'
import { execFile } from 'node:child_process'
import { promisify } from 'node:util'
import { resolve as resolvePath } from 'node:path'
import type { AbortOptions, RestoreResult } from '@resilien/types'
import type { Repository } from './repository.js'
import { displayName, nodeNameBytes, nodeTargetBytes } from './tree.js'
import { mapConcurrent } from './limiter.js'
import { FileJob, OpenFiles, finishFile, nsToSeconds, writeSparse } from './restore-files.js'
import { RestoreWindow } from './restore-plan.js'
import type { BlobUse } from './restore-plan.js'
import type { TreeNode } from './tree.js'

/** Packs read at once: each holds pieces of several files, so this is the restore's read-ahead. */
export const RESTORE_PACKS_IN_FLIGHT = 4
/** Plaintext of one file's consecutive chunks written in one call (held per pack in flight). */
const WRITE_RUN_BYTES = 1024 * 1024
/** Sub-folders of one folder walked at once: loading a tree is a round trip to a site. */
export const RESTORE_SUBDIRS_IN_FLIGHT = 4
/** Symlinks, fifos and devices made at once: each is a few syscalls of latency. */
const SPECIALS_IN_FLIGHT = 8

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
  /** Chunks planned per window (default WINDOW_CHUNKS); tests make it small to cut files over windows. */
  windowChunks?: number
  onWarning?: (message: string) => void
}


const execFileAsync = promisify(execFile)
const SLASH = Buffer.from('/')
const isRoot = process.getuid?.() === 0

/** Where a snapshot path sits relative to the include list. */
type Selection = 'all' | 'partial' | 'none'

function splitPath (p: string): Buffer[] {
  return p.split('/').filter((c) => c !== '' && c !== '.').map((c) => Buffer.from(c))
}

/**
 * Restores a snapshot, or the parts named by `include`, below `target`, in three walks of its
 * trees: one counts what will be restored (for progress), one makes folders, links and special
 * files and plans regular files in windows (restore-plan.ts), and a last one gives folders their
 * metadata, after their children, so writing into them does not change it.
 *
 * Data is read in pack order: each window's chunks are grouped by pack, each pack's data shards
 * are fetched once (or rebuilt from any k when a site fails), and every chunk is verified (seal,
 * decompression, chunk id) before it is written at each place that needs it. Runs of zero bytes
 * become holes (sparse files). A file gets its length, owner (as root), mode and mtime once its
 * last chunk is written.
 *
 * Not guaranteed: an interrupted restore leaves partly written files (run it again); hard links
 * come back as separate files; sockets are not recreated.
 */
export async function restore (repo: Repository, options: RestoreOptions): Promise<RestoreResult> {
  const started = process.hrtime.bigint()
  const signal = options.signal
  const signalOption = signal === undefined ? {} : { signal }
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

  interface Entry { node: TreeNode, path: Buffer[], selection: Selection, dest: Buffer }
  const entries = async (ids: string[], destDir: Buffer, components: Buffer[]): Promise<Entry[]> => {
    const tree = await repo.loadTree(ids, options)
    const out: Entry[] = []
    for (const node of tree.nodes) {
      const name = nodeNameBytes(node)
      const path = [...components, name]
      const selection = select(path)
      if (selection !== 'none') out.push({ node, path, selection, dest: Buffer.concat([destDir, SLASH, name]) })
    }
    return out
  }

  /** File system problems at the target are reported and the restore goes on; data errors stop it. */
  const reportFsError = (dest: Buffer, err: unknown): void => {
    if (signal?.aborted === true || (err as NodeJS.ErrnoException).code === undefined) throw err
    warn(`${dest.toString()}: ${(err as Error).message}`)
  }
  const attempt = async (dest: Buffer, work: () => Promise<void>): Promise<void> => {
    try {
      await work()
    } catch (err) {
      reportFsError(dest, err)
    }
  }

  const countTree = async (ids: string[], components: Buffer[]): Promise<void> => {
    for (const { node, path, selection } of await entries(ids, target, components)) {
      if (node.type === 'file' && selection === 'all') {
        totals.files++
        totals.bytes += node.size
      } else if (node.type === 'dir' && node.subtree !== undefined) {
        await countTree(node.subtree, path)
      }
    }
  }

  const files = new OpenFiles()
  const finish = async (file: FileJob): Promise<void> => {
    if (file.failed) return await files.close(file).catch(() => {})
    try {
      const length = await finishFile(files, file)
      if (length !== file.node.size) warn(`${file.dest.toString()}: restored ${length} bytes, the snapshot says ${file.node.size}`)
      done.files++
      progress(displayName(file.node))
    } catch (err) {
      file.failed = true
      await files.close(file).catch(() => {})
      reportFsError(file.dest, err)
    }
  }
  /** Writes chunks that follow one another in one file, then counts them done. */
  const writeRun = async (file: FileJob, position: number, pieces: Uint8Array[]): Promise<void> => {
    if (!file.failed) {
      try {
        await files.with(file, async (handle) => writeSparse(handle, pieces, position))
      } catch (err) {
        file.failed = true
        reportFsError(file.dest, err)
      }
    }
    for (const piece of pieces) done.bytes += piece.byteLength
    file.remaining -= pieces.length
    if (file.remaining === 0) await finish(file)
  }
  const readWindow = async (window: RestoreWindow): Promise<void> => {
    const packs = await window.plan(repo.index)
    await mapConcurrent(packs, RESTORE_PACKS_IN_FLIGHT, async ({ pack, uses }) => {
      signal?.throwIfAborted()
      const sealed = await repo.reader.readPackBlobs(pack, uses.map((u) => u.ref), signalOption)
      // A file's chunks usually sit one after another in a pack: they are written together.
      let run: { file: FileJob, position: number, end: number, pieces: Uint8Array[] } | undefined
      const flushRun = async (): Promise<void> => {
        if (run === undefined) return
        const { file, position, pieces } = run
        run = undefined
        await writeRun(file, position, pieces)
      }
      for (let i = 0; i < uses.length; i++) {
        const use = uses[i] as BlobUse
        const plain = repo.reader.openSealed(use.ref, sealed[i] as Uint8Array)
        for (const { file, position } of use.targets) {
          if (run !== undefined && (run.file !== file || run.end !== position || run.end - run.position >= WRITE_RUN_BYTES)) await flushRun()
          run ??= { file, position, end: position, pieces: [] }
          run.pieces.push(plain)
          run.end += plain.byteLength
        }
      }
      await flushRun()
    })
  }

  let window = new RestoreWindow(options.windowChunks)
  let reading: Promise<void> | undefined
  /** Reads the current window; walkers that add meanwhile wait for it. */
  const flush = async (): Promise<void> => {
    while (reading !== undefined) await reading
    if (window.empty) return
    const full = window
    window = new RestoreWindow(options.windowChunks)
    reading = readWindow(full).finally(() => { reading = undefined })
    await reading
  }
  /** Plans a file's chunks, window after window; a file without content is finished at once. */
  const submit = async (file: FileJob): Promise<void> => {
    const total = file.remaining
    if (total === 0) return await finish(file)
    for (let from = 0; from < total;) {
      while (reading !== undefined) await reading
      const take = Math.min(window.room(), total - from)
      window.add(file, from, from + take)
      from += take
      if (window.room() === 0) await flush()
    }
  }

  const restoreTree = async (ids: string[], destDir: Buffer, components: Buffer[]): Promise<void> => {
    const selected = await entries(ids, destDir, components)
    const leaves = selected.filter((e) => e.node.type !== 'dir' && e.selection === 'all')
    await mapConcurrent(leaves.filter((e) => e.node.type !== 'file'), SPECIALS_IN_FLIGHT, async ({ node, dest }) => {
      signal?.throwIfAborted()
      await attempt(dest, async () => restoreSpecial(node, dest, warn))
    })
    for (const { node, dest } of leaves) {
      if (node.type !== 'file') continue
      signal?.throwIfAborted()
      await submit(new FileJob(node, dest))
    }
    await mapConcurrent(selected.filter((e) => e.node.type === 'dir'), RESTORE_SUBDIRS_IN_FLIGHT, async ({ node, path, dest }) => {
      signal?.throwIfAborted()
      let made = false
      await attempt(dest, async () => {
        await mkdir(dest, { recursive: true, mode: 0o700 })
        made = true
      })
      if (!made) return
      done.dirs++
      if (node.subtree !== undefined) await restoreTree(node.subtree, dest, path)
    })
  }

  const finishTree = async (ids: string[], destDir: Buffer, components: Buffer[]): Promise<void> => {
    const dirs = (await entries(ids, destDir, components)).filter((e) => e.node.type === 'dir')
    await mapConcurrent(dirs, RESTORE_SUBDIRS_IN_FLIGHT, async ({ node, path, dest }) => {
      if (node.subtree !== undefined) await finishTree(node.subtree, dest, path)
      // A folder that could not be made was reported already.
      await lstat(dest).then(async () => attempt(dest, async () => {
        if (isRoot) await lchown(dest, node.uid, node.gid)
        await chmod(dest, node.mode)
        await utimes(dest, nsToSeconds(node.mtimeNs), nsToSeconds(node.mtimeNs))
      }), () => {})
    })
  }

  const summary = (): RestoreResult => ({
    snapshot: snapshot.id,
    files: done.files,
    dirs: done.dirs,
    bytes: done.bytes,
    seconds: Number(process.hrtime.bigint() - started) / 1e9,
    warnings
  })
  // First pass counts what will be restored, for the progress bar; trees are small next to data.
  await countTree(snapshot.record.tree, [])
  if (includes.length > 0 && totals.files === 0 && !(await anyIncludeExists(repo, snapshot.record.tree, includes))) {
    // A mistyped path changes nothing: the target is not even created.
    warn(`nothing in snapshot ${snapshot.id.slice(0, 8)} matches the include paths; nothing was restored`)
    return summary()
  }
  await mkdir(target, { recursive: true })
  try {
    try {
      await restoreTree(snapshot.record.tree, target, [])
      await flush()
    } finally {
      await files.closeAll()
    }
    await finishTree(snapshot.record.tree, target, [])
  } finally {
    // The tree shards cached for the walks are of no use once the restore is over.
    repo.reader.dropCachedData()
  }
  await lstat(target)
  return summary()
}

/** A symlink, fifo or device node; sockets are skipped (they belong to the process that made them). */
async function restoreSpecial (node: TreeNode, dest: Buffer, warn: (message: string) => void): Promise<void> {
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
      return
  }
  if (isRoot) await lchown(dest, node.uid, node.gid)
  await utimes(dest, nsToSeconds(node.mtimeNs), nsToSeconds(node.mtimeNs))
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
