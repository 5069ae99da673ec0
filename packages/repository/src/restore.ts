import { compileExclude } from './exclude.js'
import { lchown, lutimes, mkdir, rm, stat, symlink, utimes, lstat } from 'node:fs/promises'
import { execFile } from 'node:child_process'
import { promisify } from 'node:util'
import { dirname, resolve as resolvePath } from 'node:path'
import { CorruptShardError, IntegrityError, InvalidInputError, NotEnoughShardsError, NotFoundError, ResilienError } from '@resilien/types'
import type { AbortOptions, RestoreResult } from '@resilien/types'
import type { Repository } from './repository.js'
import { displayName, nodeNameBytes, nodeTargetBytes } from './tree.js'
import { SpareSlots, mapConcurrent, mapWithSpareSlots, packsInFlight } from './limiter.js'
import { RestoredFileVerifier } from './restore-verify.js'
import { nsToSeconds } from './restore-files.js'
import { fullDiskError, makeRoomSync } from './restore-room.js'
import { WindowPipeline } from './restore-windows.js'
import type { BlobUse, PlannedFile, RestoreWindow } from './restore-plan.js'
import { ID_LENGTH } from './format.js'
import { InlineRestoreWriter } from './restore-writer.js'
import type { RestoreWriter } from './restore-writer.js'
import type { SinkDir, SinkFile, SinkReport } from './restore-sink.js'
import type { SealPool } from './seal-pool.js'
import type { TreeNode } from './tree.js'

/** Packs read at once: each holds pieces of several files, so this is the restore's read-ahead. */
export const RESTORE_PACKS_IN_FLIGHT = 4
/**
 * Packs read at once when every shard is on this site's own disk (a cluster of one site): no
 * round trip to hide, so two keep the writer busy, and two packs' shards fewer are alive.
 * Measured on the 270 MB bench tree (four alternating pairs): peaks 138-146 MiB against 146-149.
 */
export const LOCAL_RESTORE_PACKS_IN_FLIGHT = 2
/** Files announced to the writer at once when many come without data (empty files). */
const ANNOUNCE_BATCH = 256
/**
 * Unreadable packs in a row after which the restore stops instead of going on without their
 * files: by then the cause is no longer a damaged pack but sites that cannot be reached.
 */
const MAX_UNREADABLE_PACKS_IN_A_ROW = 16
/**
 * Folders walked alongside the walk's own chain, across the whole restore: loading a tree is a
 * round trip to a site. Beyond it a folder walks its sub-folders itself, one after the other, so
 * the folders open at once (each holding its entries) do not grow with the tree's breadth (see
 * FOLDER_WALKERS in backup.ts).
 */
export const RESTORE_FOLDER_WALKERS = 8
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
  /** Patterns of snapshot paths not restored, backup's rules (compileExclude): `*.tmp`, `/home/ann/cache`. */
  exclude?: string[]
  onProgress?: (p: RestoreProgress) => void
  /** Chunks planned per window (default WINDOW_CHUNKS); tests make it small to cut files over windows. */
  windowChunks?: number
  onWarning?: (message: string) => void
  /** Blobs are opened and files written in one of its workers (inline without a pool or a worker). */
  sealPool?: SealPool
  /** Then read every restored file back and check it against the snapshot (restic's --verify; restore-verify.ts). */
  verify?: boolean
  /** Packs read at once (default RESTORE_PACKS_IN_FLIGHT; see LOCAL_RESTORE_PACKS_IN_FLIGHT). */
  maxPacksInFlight?: number
}


const execFileAsync = promisify(execFile)
const SLASH = Buffer.from('/')
/** Restored files read back at once by --verify. */
const VERIFY_FILES_IN_FLIGHT = 2
/** Files and folders that could not be written, remembered so that --verify does not report them twice. */
const UNWRITTEN_REMEMBERED = 1000
const isRoot = process.getuid?.() === 0

/** Where a snapshot path sits relative to the include list. */
type Selection = 'all' | 'partial' | 'none'

function splitPath (p: string): Buffer[] {
  return p.split('/').filter((c) => c !== '' && c !== '.').map((c) => Buffer.from(c))
}

/**
 * Restores a snapshot, or the parts named by `include`, below `target`, in walks of its trees:
 * with include paths a first one counts what they select (for progress; a whole snapshot's
 * record has the totals), one makes folders, links and special files and plans regular files in
 * windows (restore-plan.ts), and a last one gives folders their metadata, after their children,
 * so writing into them does not change it.
 *
 * Data is read in pack order: each window's chunks are grouped by pack, each pack's data shards
 * are fetched once (or rebuilt from any k when a site fails). The writer (restore-sink.ts, in a
 * seal-pool worker when there is one) verifies every chunk (seal, decompression, chunk id)
 * before it is written at each place that needs it. Runs of zero bytes become holes (sparse
 * files). A file gets its length, owner (as root), mode and mtime once its last chunk is written.
 *
 * Not guaranteed: an interrupted restore leaves partly written files (run it again); hard links
 * come back as separate files; sockets are not recreated.
 */
export async function restore (repo: Repository, options: RestoreOptions): Promise<RestoreResult> {
  const started = process.hrtime.bigint()
  const signal = options.signal
  const signalOption = signal === undefined ? {} : { signal }
  const packsAtOnce = packsInFlight(options.maxPacksInFlight, RESTORE_PACKS_IN_FLIGHT)
  const snapshot = await repo.findSnapshot(options.snapshot)
  const target = Buffer.from(resolvePath(options.target))
  const includes = (options.include ?? []).map(splitPath)
  const excludes = options.exclude ?? []
  const excluded = compileExclude(excludes)
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
      if (selection === 'none' || (excludes.length > 0 && excluded(`/${path.join('/')}`))) continue
      out.push({ node, path, selection, dest: Buffer.concat([destDir, SLASH, name]) })
    }
    return out
  }

  /** File system problems at the target are reported and the restore goes on; data errors stop it. */
  const reportFsError = (dest: Buffer, err: unknown): void => {
    if (signal?.aborted === true || (err as NodeJS.ErrnoException).code === undefined) throw err
    const full = fullDiskError(dest, err)
    if (full !== undefined) throw full
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

  /**
   * Files and folders already reported as not written, which --verify passes over rather than
   * report again; past UNWRITTEN_REMEMBERED of them it does not verify at all.
   */
  const unwritten = new Set<string>()
  let tooManyUnwritten = false
  const noteUnwritten = (dest: Buffer): void => {
    if (options.verify !== true) return
    if (unwritten.size < UNWRITTEN_REMEMBERED) unwritten.add(dest.toString('latin1'))
    else tooManyUnwritten = true
  }

  /** Files planned and not yet finished by the writer, by their number. */
  const planned = new Map<number, PlannedFile>()
  let nextFileId = 0
  /** Files the writer has not heard of yet: it must before any of their chunks arrive. */
  let unannounced: SinkFile[] = []

  const absorb = (report: SinkReport): void => {
    done.bytes += report.bytes
    for (const message of report.warnings) warn(message)
    for (const id of report.failed) {
      const file = planned.get(id)
      if (file !== undefined) noteUnwritten(file.dest)
      planned.delete(id)
    }
    let last: PlannedFile | undefined
    for (const id of report.finished) {
      last = planned.get(id)
      planned.delete(id)
      done.files++
    }
    progress(last === undefined ? undefined : displayName(last.node))
  }
  const announce = async (to: RestoreWriter): Promise<void> => {
    if (unannounced.length === 0) return
    const files = unannounced
    unannounced = []
    absorb(await to.add(files))
  }
  /**
   * A pack's blobs that the window needs, handed to the writer as views of the data shards
   * fetched for them: a worker gets those shards transferred, so nothing is copied or allocated
   * per pack here. A blob that is a view of anything else (a cached shard, or joined across two
   * shards) is copied into a buffer of its own first, so that only its bytes travel.
   */
  const writePack = async (pack: string, uses: readonly BlobUse[], to: RestoreWriter): Promise<SinkReport> =>
    await repo.reader.withPackBlobs(pack, uses.map((u) => u.ref), signalOption, async (sealed, owned) => {
      const shards = new Set<ArrayBufferLike>(owned.map((s) => s.buffer))
      const blobs = sealed.map((b) => shards.has(b.buffer) ? b : Uint8Array.prototype.slice.call(b))
      const ids = new Uint8Array(uses.length * ID_LENGTH)
      uses.forEach((u, i) => ids.set(u.ref.id, i * ID_LENGTH))
      const targets = targetsOf(uses)
      const transfer = [...new Set(blobs.map((b) => b.buffer as ArrayBuffer))]
      // Inline, the shards are released when this returns (withPackBlobs); a worker drops them.
      return await to.write(blobs, { ids, targets }, transfer)
    })
  let unreadableInARow = 0
  /** Packs that could not be read while no pack has been (at most MAX_UNREADABLE_PACKS_IN_A_ROW); undefined once one was. */
  let unreadBeforeAnyRead: Array<{ targets: number[][], error: Error }> | undefined = []
  const readWindow = async (window: RestoreWindow, to: RestoreWriter): Promise<void> => {
    const packs = await window.plan(repo.index)
    await announce(to)
    await mapConcurrent(packs, packsAtOnce, async ({ pack, uses }) => {
      signal?.throwIfAborted()
      let report: SinkReport
      try {
        report = await writePack(pack, uses, to)
      } catch (err) {
        // An unreadable pack costs the files that need it, not the restore (restic's way); but
        // when pack after pack fails, or no pack at all could be read, the sites are gone, not
        // a pack, and going on would only list every file.
        if (!isUnreadablePack(err) || ++unreadableInARow >= MAX_UNREADABLE_PACKS_IN_A_ROW) throw err
        signal?.throwIfAborted()
        const lost = { targets: targetsOf(uses), error: err as Error }
        if (unreadBeforeAnyRead !== undefined) unreadBeforeAnyRead.push(lost)
        else absorb(await to.lost(lost.targets, lost.error.message))
        return
      }
      unreadableInARow = 0
      absorb(report)
      // A pack was read: the ones that failed before were damaged, not out of reach.
      const waiting = unreadBeforeAnyRead ?? []
      unreadBeforeAnyRead = undefined
      for (const lost of waiting) absorb(await to.lost(lost.targets, lost.error.message))
    })
  }

  /** Windows of the walk, read one at a time while the walk fills the next (made with the writer). */
  let windows: WindowPipeline | undefined
  /** Announces a file to the writer and plans its chunks, window after window. */
  const submit = async (node: TreeNode, dest: Buffer, to: RestoreWriter): Promise<void> => {
    // A read that failed in the background stops the walk here, before more is announced.
    windows?.throwIfFailed()
    const file: PlannedFile = { id: nextFileId++, node, dest, nextPosition: 0 }
    const total = node.content?.length ?? 0
    planned.set(file.id, file)
    unannounced.push({ id: file.id, dest, chunks: total, size: node.size, mode: node.mode, uid: node.uid, gid: node.gid, mtimeNs: node.mtimeNs })
    if (unannounced.length >= ANNOUNCE_BATCH) await announce(to)
    const pipeline = windows as WindowPipeline
    for (let from = 0; from < total;) from = await pipeline.add(file, from, total)
  }

  /** Slots of the folder walks (restoreTree, then finishTree: one after the other, never together). */
  const walkers = new SpareSlots(RESTORE_FOLDER_WALKERS)
  const restoreTree = async (ids: string[], destDir: Buffer, components: Buffer[], to: RestoreWriter): Promise<void> => {
    const selected = await entries(ids, destDir, components)
    const leaves = selected.filter((e) => e.node.type !== 'dir' && e.selection === 'all')
    await mapConcurrent(leaves.filter((e) => e.node.type !== 'file'), SPECIALS_IN_FLIGHT, async ({ node, dest }) => {
      signal?.throwIfAborted()
      await attempt(dest, async () => restoreSpecial(node, dest, warn))
    })
    for (const { node, dest } of leaves) {
      if (node.type !== 'file') continue
      signal?.throwIfAborted()
      await submit(node, dest, to)
    }
    await mapWithSpareSlots(selected.filter((e) => e.node.type === 'dir'), walkers, async ({ node, path, dest }) => {
      signal?.throwIfAborted()
      let made = false
      await attempt(dest, async () => {
        await makeRealDir(dest)
        made = true
      })
      if (!made) {
        noteUnwritten(dest)
        return
      }
      done.dirs++
      if (node.subtree !== undefined) await restoreTree(node.subtree, dest, path, to)
    })
  }

  /** Folders waiting for their metadata, children before parents. */
  let finishedDirs: SinkDir[] = []
  const sendDirs = async (to: RestoreWriter): Promise<void> => {
    if (finishedDirs.length === 0) return
    const dirs = finishedDirs
    finishedDirs = []
    absorb(await to.finishDirs(dirs))
  }
  /** Walks the folders again, children first, and has the writer give each its metadata. */
  const finishTree = async (ids: string[], destDir: Buffer, components: Buffer[], to: RestoreWriter): Promise<void> => {
    const dirs = (await entries(ids, destDir, components)).filter((e) => e.node.type === 'dir')
    await mapWithSpareSlots(dirs, walkers, async ({ node, path, dest }) => {
      if (node.subtree !== undefined) await finishTree(node.subtree, dest, path, to)
      finishedDirs.push({ dest, mode: node.mode, uid: node.uid, gid: node.gid, mtimeNs: node.mtimeNs })
      if (finishedDirs.length >= ANNOUNCE_BATCH) await sendDirs(to)
    })
  }

  /**
   * Reads the restored files back in the walk's order, each against its chunk ids, two at a
   * time: one file's read overlaps the other's hashing.
   */
  const verifier = options.verify === true ? new RestoredFileVerifier(repo) : undefined
  const verifyTree = async (ids: string[], destDir: Buffer, components: Buffer[], check: RestoredFileVerifier): Promise<void> => {
    const selected = (await entries(ids, destDir, components)).filter((e) => !unwritten.has(e.dest.toString('latin1')))
    await mapConcurrent(selected.filter((e) => e.node.type === 'file' && e.selection === 'all'), VERIFY_FILES_IN_FLIGHT, async ({ node, dest }) => {
      signal?.throwIfAborted()
      const problem = await check.verify(node, dest)
      if (problem !== undefined) warn(problem)
    })
    for (const { node, path, dest } of selected) {
      if (node.type === 'dir' && node.subtree !== undefined) await verifyTree(node.subtree, dest, path, check)
    }
  }

  const summary = (): RestoreResult => ({
    snapshot: snapshot.id,
    files: done.files,
    dirs: done.dirs,
    bytes: done.bytes,
    seconds: Number(process.hrtime.bigint() - started) / 1e9,
    warnings,
    ...(verifier === undefined ? {} : { verified: { ...verifier.counts } })
  })
  if (includes.length === 0 && excludes.length === 0) {
    // The whole snapshot: its record has the totals for the progress bar.
    totals.files = snapshot.record.stats.files
    totals.bytes = snapshot.record.stats.totalBytes
  } else {
    // A first walk counts what the include and exclude paths select; trees are small next to data.
    await countTree(snapshot.record.tree, [])
  }
  if (includes.length > 0 && totals.files === 0 && !(await anyIncludeExists(repo, snapshot.record.tree, includes))) {
    // A mistyped path changes nothing: the target is not even created.
    warn(`nothing in snapshot ${snapshot.id.slice(0, 8)} matches the include paths; nothing was restored`)
    return summary()
  }
  await makeTarget(target.toString())
  const keys = { dataKey: repo.keys.dataKey, chunkIdKey: repo.keys.chunkIdKey, maxBlobSize: repo.maxBlobSize }
  const writer = options.sealPool?.openRestoreWriter(keys) ?? new InlineRestoreWriter(keys)
  windows = new WindowPipeline(async (window) => await readWindow(window, writer), options.windowChunks)
  try {
    try {
      await restoreTree(snapshot.record.tree, target, [], writer)
      await windows.finish()
      // Every pack the restore needed failed: nothing was within reach.
      if (unreadBeforeAnyRead !== undefined && unreadBeforeAnyRead.length > 0) throw unreadBeforeAnyRead[0]?.error
      // Files without data (empty ones) may not have been announced by any window.
      await announce(writer)
      await finishTree(snapshot.record.tree, target, [], writer)
      await sendDirs(writer)
    } finally {
      await windows.stop()
      await writer.end()
    }
    if (verifier !== undefined && tooManyUnwritten) warn(`more than ${UNWRITTEN_REMEMBERED} files or folders could not be written: the restored files were not verified`)
    else if (verifier !== undefined) await verifyTree(snapshot.record.tree, target, [], verifier)
  } finally {
    // The tree shards cached for the walks are of no use once the restore is over.
    repo.reader.dropCachedData()
  }
  await lstat(target)
  return summary()
}

/**
 * `mkdir -p` for the target, one folder at a time. Node's recursive mkdir never returns where
 * mkdir answers ENOENT below a folder that exists (/proc, /sys): a mistyped target must end in
 * one error line, not a restore that hangs.
 */
async function makeTarget (target: string): Promise<void> {
  const missing: string[] = []
  for (let dir = target; ; dir = dirname(dir)) {
    try {
      if (!(await stat(dir)).isDirectory()) throw new InvalidInputError(`${dir} is not a folder: cannot restore below it`)
      break
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT' || dirname(dir) === dir) throw err
      missing.push(dir)
    }
  }
  for (const dir of missing.reverse()) {
    await mkdir(dir).catch((err: NodeJS.ErrnoException) => {
      if (err.code === 'EEXIST') return
      // Node's line names only the system call ("ENOENT: no such file or directory, mkdir '/proc/x'"): say what it was for.
      const why = err.message.replace(/, mkdir .*$/, '')
      const step = dir === target ? '' : `: mkdir ${dir} failed`
      throw fullDiskError(Buffer.from(dir), err) ?? new ResilienError(`cannot make the target folder ${target}${step} (${why})`, { cause: err, permanent: true })
    })
  }
}

/**
 * The snapshot's folder at `dest`, as a real folder. A folder already there is kept (a restore
 * over an earlier one); anything else in its place (a file, or a symlink, even to a folder) is
 * replaced: a planted link must never lead the restore's writes outside the target.
 */
async function makeRealDir (dest: Buffer): Promise<void> {
  try {
    await mkdir(dest, { mode: 0o700 })
    return
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err
  }
  if ((await lstat(dest)).isDirectory()) return
  await rm(dest, { force: true })
  await mkdir(dest, { mode: 0o700 })
}

/** A symlink, fifo or device node; sockets are skipped (they belong to the process that made them). */
async function restoreSpecial (node: TreeNode, dest: Buffer, warn: (message: string) => void): Promise<void> {
  makeRoomSync(dest)
  switch (node.type) {
    case 'symlink':
      await symlink(nodeTargetBytes(node), dest)
      if (isRoot) await lchown(dest, node.uid, node.gid)
      await lutimes(dest, nsToSeconds(node.mtimeNs), nsToSeconds(node.mtimeNs))
      return
    case 'fifo':
      await execFileAsync('mkfifo', ['-m', (node.mode & 0o777).toString(8), dest.toString()]).catch(toolError)
      break
    case 'chardev':
    case 'blockdev': {
      if (!isRoot || node.rdev === undefined) {
        warn(`${dest.toString()}: device nodes are restored only as root`)
        return
      }
      const major = Math.floor(node.rdev / 256) & 0xfff
      const minor = (node.rdev & 0xff) | ((node.rdev >> 12) & 0xfff00)
      await execFileAsync('mknod', ['-m', (node.mode & 0o777).toString(8), dest.toString(), node.type === 'chardev' ? 'c' : 'b', String(major), String(minor)]).catch(toolError)
      break
    }
    default:
      return
  }
  if (isRoot) await lchown(dest, node.uid, node.gid)
  await utimes(dest, nsToSeconds(node.mtimeNs), nsToSeconds(node.mtimeNs))
}

/** mkfifo's or mknod's complaint as one line, kept a file system error (the restore goes on). */
function toolError (err: Error & { stderr?: string }): never {
  const line = (err.stderr ?? '').trim().split('\n')[0] ?? ''
  throw Object.assign(new Error(line === '' ? err.message.split('\n')[0] as string : line), { code: 'ETOOL' })
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

/** Per blob, the file and position pairs it is written to (SinkPack.targets). */
function targetsOf (uses: readonly BlobUse[]): number[][] {
  return uses.map((u) => u.targets.flatMap((t) => [t.file.id, t.position]))
}

/**
 * A pack whose data is gone or damaged beyond what its parity rebuilds: its files are lost, the
 * rest goes on. A pack without a stripe record is not one: the catalog has not caught up yet.
 */
function isUnreadablePack (err: unknown): boolean {
  return err instanceof NotEnoughShardsError || err instanceof IntegrityError || err instanceof CorruptShardError || (err instanceof NotFoundError && err.kind === 'shard')
}
