import { lstat, readlink } from 'node:fs/promises'
import { hostname, userInfo } from 'node:os'
import { resolve as resolvePath, sep } from 'node:path'
import { InsufficientRedundancyError, InvalidInputError, isPlainFileName, Limiter, NotFoundError, toHex } from '@resilien/types'
import type { AbortOptions, BackupResult } from '@resilien/types'
import { BlobSaver } from './blob-saver.js'
import { BlobType, ID_LENGTH } from './format.js'
import { chunkBatches, readFileBuffers } from './file-chunks.js'
import type { Repository } from './repository.js'
import { newSnapshotId, sealSnapshot } from './snapshot-record.js'
import type { SnapshotRecord } from './snapshot-record.js'
import { encodeTree, nodeNameBytes, setNodeName, setNodeTarget, sortNodes } from './tree.js'
import type { TreeNode } from './tree.js'
import { compileExclusion } from './exclude-rules.js'
import type { ExcludeRules, FolderMarker } from './exclude-rules.js'
import { startScan } from './scanner.js'
import { checkTags, normalTags } from './snapshot-tags.js'
import { SpareSlots, mapConcurrent, mapWithSpareSlots } from './limiter.js'
import type { SealPool } from './seal-pool.js'
import { entryStat, entryType, joinPath, listDirExcluding } from './dir-listing.js'
import { ListingPrefetch } from './listing-prefetch.js'
import type { EntryStat } from './dir-listing.js'
import type { ScanTotals } from './scanner.js'

/** Files read at once across the whole walk: overlaps open/read latency; each holds at most a read buffer and a batch. */
export const FILES_IN_FLIGHT = 4
/** Entries of one folder stat'ed and saved at once. */
export const ENTRIES_IN_FLIGHT = 16
/**
 * Folders walked alongside the walk's own chain, across the whole backup: hides the latency of
 * listing many small folders. A folder whose sub-folders find no free slot walks them itself,
 * one after the other, so the folders open at once (each holding its file nodes while its
 * sub-folders are walked) stay within this many chains and the walk's own, whatever the tree's
 * breadth. (Each level starting 8 of its own, measured on a 1 GB tree of 4,944 folders: 771
 * folders open.)
 */
export const FOLDER_WALKERS = 16
/** Folders being listed and stat'ed at once across the walk: bounds the syscalls and listings held. */
export const LISTINGS_IN_FLIGHT = 16
/** Folders a seal worker lists in one message, ahead of the walk (see ListingPrefetch). */
export const DIRS_PER_LISTING = 64

export interface BackupProgress {
  files: number
  dirs: number
  bytes: number
  totals?: ScanTotals
  current?: string
  /**
   * The snapshot's id, once it is recorded in this site's catalog and only its copy to a second
   * site is awaited: an interruption from then on leaves it recorded here (other sites take it
   * at their next sync), not "nothing committed".
   */
  recorded?: string
}

export interface StdinSource {
  /** Name of the file at the root of the snapshot (no "/"). */
  filename: string
  data: AsyncIterable<Uint8Array>
  /** Resolves when the producer (e.g. a command) finished well, rejects otherwise: then nothing is committed. */
  done: Promise<void>
}

/** What writing snapshots needs from the site: its seal workers and its commit rule (backup, rewrite). */
export interface SnapshotCommitOptions {
  allowDegraded?: boolean
  /** Worker threads that compress and seal (the node keeps one pool for all backups). */
  sealPool?: SealPool
  /**
   * Before the snapshot is committed: undefined when every stripe of the repository survives the
   * loss of any one site, else one line saying why not. The caller knows sites and zones.
   */
  redundancyCheck: (options: AbortOptions) => Promise<string | undefined>
  /**
   * After the snapshot fact is appended at `seq` of this site's log: resolves once enough other
   * sites hold the log up to it (the commit rule); throws when they cannot be reached.
   */
  replicate?: (seq: number, options: AbortOptions) => Promise<void>
}

export interface BackupOptions extends AbortOptions, SnapshotCommitOptions {
  paths: string[]
  /**
   * Streams stored as files at the snapshot's root beside the paths (a database dump, a
   * command's output), read one after the other before the paths. Each is consumed as it is
   * produced, never held whole.
   */
  streams?: StdinSource[]
  /** Patterns of paths left out, restic's rules (see compileExclude). */
  exclude?: string[]
  /** Files whose presence keeps the rest of their folder out (--exclude-if-present, --exclude-caches). */
  excludeMarkers?: FolderMarker[]
  /** Files larger than this many bytes are left out (--exclude-larger-than). */
  excludeLargerThan?: number
  /**
   * Stay on the file system of each path given (restic's --one-file-system): a folder below it
   * on another one (a mount point: external storage, a network share) is kept as an empty
   * folder, and nothing below it is read.
   */
  oneFileSystem?: boolean
  /**
   * No count of the files and bytes alongside a first backup: progress gets no totals. (Without
   * `onProgress` there is no count either; with a parent, its totals serve, which cost no walk.)
   */
  noScan?: boolean
  /**
   * Read, chunk, compress and seal as a backup does, and compare with the repository, but store,
   * index and commit nothing (restic's --dry-run): the result's stats say what would be added.
   */
  dryRun?: boolean
  tags?: string[]
  host?: string
  time?: Date
  /** Packs coded and stored at once (default DEFAULT_PACKS_IN_FLIGHT; see LOCAL_PACKS_IN_FLIGHT). */
  maxPacksInFlight?: number
  onProgress?: (p: BackupProgress) => void
  /** A problem with one file (vanished, unreadable): the backup goes on and reports it. */
  onWarning?: (message: string) => void
}



/** Warnings kept in the result; more are only counted. */
const MAX_WARNINGS = 100

/** A file's or stream's content as saved: its chunk ids, and the bytes they hold. */
interface SavedContent {
  ids: string[]
  bytes: number
}

function baseNode (st: EntryStat, name: Uint8Array): TreeNode {
  const node: Partial<TreeNode> = {}
  setNodeName(node, name)
  const type = entryType(st)
  const full: TreeNode = {
    ...node,
    type,
    mode: st.mode & 0o7777,
    uid: st.uid,
    gid: st.gid,
    size: type === 'file' ? st.size : 0,
    mtimeNs: st.mtimeNs,
    ctimeNs: st.ctimeNs,
    inode: st.inode
  }
  if (type === 'chardev' || type === 'blockdev') full.rdev = st.rdev
  return full
}

/** Same size, mtime, ctime and inode as in the parent snapshot: the file is taken as unchanged (restic's rule). */
function unchanged (node: TreeNode, old: TreeNode | undefined): old is TreeNode & { content: string[] } {
  return old !== undefined && old.type === 'file' && old.content !== undefined &&
    old.size === node.size && old.mtimeNs === node.mtimeNs && old.ctimeNs === node.ctimeNs && old.inode === node.inode
}

/**
 * Backs up files and folders (or a stream) into a new snapshot. The walk is depth first;
 * every directory's listing becomes a tree blob once its children are saved. Files unchanged
 * since the parent snapshot (same host and paths) are not read again. The snapshot record is
 * committed to the catalog only after every pack it references is stored and indexed, so an
 * interrupted backup leaves no snapshot, only packs a re-run reuses.
 */
export async function backup (repo: Repository, options: BackupOptions): Promise<BackupResult> {
  const started = process.hrtime.bigint()
  const signal = options.signal
  const paths = normalizePaths(options.paths)
  const streams = options.streams ?? []
  if (paths.length === 0 && streams.length === 0) throw new InvalidInputError('nothing to back up: give at least one path')
  checkTags(options.tags ?? [])
  const rules: ExcludeRules = {
    patterns: options.exclude ?? [],
    ...(options.excludeMarkers === undefined || options.excludeMarkers.length === 0 ? {} : { markers: options.excludeMarkers }),
    ...(options.excludeLargerThan === undefined ? {} : { largerThan: options.excludeLargerThan })
  }
  const exclusion = compileExclusion(rules)
  const excluded = exclusion.path
  const oneFileSystem = options.oneFileSystem === true
  checkStreamNames(streams, paths)
  for (const p of paths) {
    await lstat(p).catch((err: NodeJS.ErrnoException) => {
      throw err.code === 'ENOENT'
        ? new NotFoundError('path', p, `${p} does not exist`)
        : new InvalidInputError(`cannot read ${p}: ${err.message}`)
    })
  }
  // An exclude that matches a path given to back up is a mistake, not a wish for an empty
  // snapshot: `forget --keep-last 1` would then keep that empty snapshot and let the real ones go.
  const excludedPaths = paths.filter((p) => excluded(p))
  if (excludedPaths.length > 0 && excludedPaths.length === paths.length && streams.length === 0) {
    throw new InvalidInputError(`nothing to back up: the excludes match every path given (${excludedPaths.join(', ')})`)
  }
  const host = options.host ?? hostname()
  const snapshotPaths = [...paths, ...streams.map((s) => `/${s.filename}`)]
  const parent = await findParent(repo, host, snapshotPaths)
  const saver = new BlobSaver(repo, {
    ...(options.allowDegraded === undefined ? {} : { allowDegraded: options.allowDegraded }),
    ...(signal === undefined ? {} : { signal }),
    ...(options.sealPool === undefined ? {} : { sealPool: options.sealPool }),
    ...(options.maxPacksInFlight === undefined ? {} : { maxPacksInFlight: options.maxPacksInFlight }),
    ...(options.dryRun === true ? { dryRun: true } : {})
  })
  const warnings: string[] = []
  const fileSlots = new Limiter(FILES_IN_FLIGHT)
  const listingSlots = new Limiter(LISTINGS_IN_FLIGHT)
  const folderWalkers = new SpareSlots(FOLDER_WALKERS)
  // A pool without a worker lists `path` alone on this thread, as listDir does without a pool.
  const listings = new ListingPrefetch(async (path) => options.sealPool !== undefined
    ? await options.sealPool.listTree(path, DIRS_PER_LISTING, rules, ENTRIES_IN_FLIGHT, oneFileSystem)
    : [{ path, listing: await listDirExcluding(path, ENTRIES_IN_FLIGHT, exclusion) }])
  let warningCount = 0
  const stats = { files: 0, dirs: 0, unchangedFiles: 0, bytesRead: 0, totalBytes: 0 }
  /** Bytes of unchanged files, done without reading. */
  let skippedBytes = 0
  // With a parent snapshot its totals are the estimate (no second walk competing with the
  // backup for the disk); without one, a scan counts files and bytes alongside, unless nobody
  // will see the totals (--no-scan, or no progress wanted at all).
  const scan = paths.length === 0
    ? undefined
    : parent !== undefined
      ? { totals: { files: parent.record.stats.files, bytes: parent.record.stats.totalBytes, complete: true }, stop: () => {} }
      : options.noScan === true || options.onProgress === undefined
        ? undefined
        : options.sealPool !== undefined
          ? options.sealPool.scan(paths, rules, oneFileSystem)
          : startScan(paths, { ...(signal === undefined ? {} : { signal }), exclusion, oneFileSystem })
  const progress = (current?: string, recorded?: string): void => {
    options.onProgress?.({
      files: stats.files,
      dirs: stats.dirs,
      bytes: stats.bytesRead + skippedBytes,
      ...(scan?.totals === undefined ? {} : { totals: scan.totals }),
      ...(current === undefined ? {} : { current }),
      ...(recorded === undefined ? {} : { recorded })
    })
  }
  const warn = (message: string): void => {
    warningCount++
    if (warnings.length < MAX_WARNINGS) warnings.push(message)
    options.onWarning?.(message)
  }
  for (const p of excludedPaths) warn(`${p} matches an exclude: it is not in the snapshot`)

  /**
   * Chunks a stream on this thread and saves the chunks (streams, and files when there is no
   * worker). `current`: report progress after every batch under this name (a dump can run for
   * hours, and nothing else would say how far it got).
   */
  const saveContent = async (source: AsyncIterable<Uint8Array>, current?: string): Promise<SavedContent> => {
    const ids: string[] = []
    let bytes = 0
    for await (const batch of chunkBatches(source, repo.contentChunker(), repo.keys.chunkIdKey)) {
      stats.bytesRead += batch.bytesRead
      for (const chunk of batch.chunks) bytes += chunk.byteLength
      ids.push(...await saver.save(BlobType.data, batch.chunks))
      if (current !== undefined) progress(current)
    }
    return { ids, bytes }
  }

  /** A file read, chunked and sealed by a worker; this thread only decides what is new and packs it. */
  const saveFileInWorker = async (pool: SealPool, path: Buffer, size: number): Promise<SavedContent> => {
    const ids: string[] = []
    let bytes = 0
    let picked: Uint8Array[] = []
    let pickedLengths: number[] = []
    const { chunker, textChunker } = repo.record
    // A Uint8Array made from another copies into an ArrayBuffer of its own (a Buffer's may be a shared pool).
    const copy = (b: Uint8Array): ArrayBuffer => new Uint8Array(b).buffer
    await pool.runFile({
      path: copy(path),
      size,
      chunker: { minSize: chunker.minSize, avgSize: chunker.avgSize, maxSize: chunker.maxSize, gearSeed: copy(repo.keys.gearSeed) },
      ...(textChunker === undefined ? {} : { textChunker: { minSize: textChunker.minSize, avgSize: textChunker.avgSize, maxSize: textChunker.maxSize } }),
      chunkIdKey: copy(repo.keys.chunkIdKey),
      dataKey: copy(repo.keys.dataKey)
    }, {
      onBatch: async (batchIds, lengths, bytesRead) => {
        stats.bytesRead += bytesRead
        for (let i = 0; i < lengths.length; i++) {
          ids.push(toHex(batchIds.subarray(i * ID_LENGTH, (i + 1) * ID_LENGTH)))
          bytes += lengths[i] as number
        }
        const indexes = await saver.claim(batchIds, lengths)
        picked = indexes.map((i) => batchIds.slice(i * ID_LENGTH, (i + 1) * ID_LENGTH))
        pickedLengths = indexes.map((i) => lengths[i] as number)
        return indexes
      },
      onSealed: async (sealed, sealedLengths, chosen) => saver.absorbSealed(picked, pickedLengths, sealed, sealedLengths, chosen)
    }, signal)
    return { ids, bytes }
  }

  const statEntry = async (path: Buffer): Promise<EntryStat | undefined> => {
    try {
      return entryStat(await lstat(path, { bigint: true }))
    } catch (err) {
      warn(`${path.toString()}: ${(err as Error).message}`)
      return undefined
    }
  }

  /**
   * `device`: the file system of the backup path this entry was reached from, which a
   * one-file-system walk does not leave (undefined for a backup path itself).
   */
  const backupNode = async (path: Buffer, name: Uint8Array, old: TreeNode | undefined, known?: EntryStat, device?: number): Promise<TreeNode | undefined> => {
    signal?.throwIfAborted()
    if (excluded(path.toString())) return undefined
    const st = known ?? await statEntry(path)
    if (st === undefined) return undefined
    const node = baseNode(st, name)
    switch (node.type) {
      case 'file': {
        // Left out without a warning, as restic does: the limit says which files are not wanted.
        if (exclusion.tooLarge(node.size)) return undefined
        if (unchanged(node, old)) {
          node.content = old.content
          stats.files++
          stats.totalBytes += node.size
          stats.unchangedFiles++
          skippedBytes += node.size
          progress(path.toString())
          return node
        }
        let saved: SavedContent
        try {
          const pool = options.sealPool
          saved = await fileSlots.run(async () => pool !== undefined && pool.size > 0
            ? saveFileInWorker(pool, path, node.size)
            : saveContent(readFileBuffers(path, node.size, signal)))
        } catch (err) {
          if (signal?.aborted === true) throw err
          // A file that vanished or cannot be read is a warning, from this thread or a worker.
          const code = (err as NodeJS.ErrnoException).code
          if (code === undefined) throw err
          warn(`${path.toString()}: ${(err as Error).message}`)
          return undefined
        }
        // Reads go to the end of the file, whatever its size when listed: a file written to
        // meanwhile (a log, a database) is stored as read, and its record says so, or restore
        // and dump would find its chunks and its size at odds.
        if (saved.bytes !== node.size) {
          warn(`${path.toString()}: changed size while it was read (${node.size} bytes when listed, ${saved.bytes} read): the snapshot holds what was read`)
          node.size = saved.bytes
        }
        node.content = saved.ids
        stats.files++
        stats.totalBytes += node.size
        progress(path.toString())
        return node
      }
      case 'dir': {
        stats.dirs++
        // A mount point below a backup path: the folder itself, empty (restic keeps it so too).
        node.subtree = oneFileSystem && device !== undefined && st.dev !== device
          ? await saver.saveTree(encodeTree({ nodes: [] }))
          : await backupDir(path, old?.type === 'dir' ? old : undefined, device ?? st.dev)
        return node
      }
      case 'symlink': {
        setNodeTarget(node, await readlink(path, { encoding: 'buffer' }))
        return node
      }
      default:
        return node
    }
  }

  const loadOldChildren = async (old: TreeNode | undefined): Promise<Map<string, TreeNode>> => {
    const map = new Map<string, TreeNode>()
    if (old?.subtree === undefined) return map
    try {
      for (const n of (await repo.loadTree(old.subtree, options)).nodes) map.set(nodeNameBytes(n).toString('base64'), n)
    } catch (err) {
      if (signal?.aborted === true) throw err
      // A damaged parent only costs re-reading the files.
      warn(`parent snapshot tree unreadable, files below are read again: ${(err as Error).message}`)
    }
    return map
  }

  const backupDir = async (path: Buffer, oldDir: TreeNode | undefined, device: number): Promise<string[]> => {
    // Listing: names, their stats and the files among them, a few folders at a time. Then the
    // sub-folders, a few at a time each; a folder waiting for them holds only its file nodes.
    const listing = await listingSlots.run(async () => {
      const listed = await listings.list(path)
      if (listed.error !== undefined) warn(`${path.toString()}: ${listed.error}`)
      const oldChildren = await loadOldChildren(oldDir)
      const entries = listed.entries.map(({ name, stat, error }) => {
        const bytes = Buffer.from(name.buffer, name.byteOffset, name.byteLength)
        const entryPath = joinPath(path, bytes)
        if (error !== undefined) warn(`${entryPath.toString()}: ${error}`)
        return { path: entryPath, name: bytes, st: stat, old: oldChildren.get(bytes.toString('base64')) }
      }).filter((e): e is typeof e & { st: EntryStat } => e.st !== undefined)
      const leaves = await mapConcurrent(entries.filter((e) => entryType(e.st) !== 'dir'), ENTRIES_IN_FLIGHT,
        async (e) => backupNode(e.path, e.name, e.old, e.st, device))
      const dirs = entries.filter((e) => entryType(e.st) === 'dir')
      return { nodes: leaves.filter((n): n is TreeNode => n !== undefined), dirs }
    })
    const subdirs = await mapWithSpareSlots(listing.dirs, folderWalkers, async (d) => backupNode(d.path, d.name, d.old, d.st, device))
    const nodes = [...listing.nodes, ...subdirs.filter((n): n is TreeNode => n !== undefined)]
    return saver.saveTree(encodeTree({ nodes: sortNodes(nodes) }), oldDir?.subtree)
  }

  /** The snapshot root: the given paths below the virtual folders that lead to them (restic's layout). */
  const backupRoot = async (): Promise<string[]> => {
    const oldRoot: TreeNode | undefined = parent === undefined ? undefined : { type: 'dir', subtree: parent.record.tree } as TreeNode
    // Streams first: a dump runs while the files it goes with are quiet (a job's maintenance
    // window), and nothing else competes with it for the seal workers.
    const streamed: TreeNode[] = []
    for (const stream of streams) streamed.push(await backupStream(stream))
    const nodes = paths.length === 0 ? [] : await virtualNodes(Buffer.from('/'), paths.map((p) => p.split(sep).filter((c) => c !== '')), oldRoot)
    return saver.saveTree(encodeTree({ nodes: sortNodes([...nodes, ...streamed]) }))
  }

  const backupStream = async (stream: StdinSource): Promise<TreeNode> => {
    const node: TreeNode = {
      type: 'file', mode: 0o600, uid: process.getuid?.() ?? 0, gid: process.getgid?.() ?? 0, size: 0,
      mtimeNs: (BigInt(Date.now()) * 1000000n).toString(), ctimeNs: '0', inode: 0
    }
    setNodeName(node, Buffer.from(stream.filename))
    const saved = await saveContent(stream.data, `/${stream.filename}`)
    node.content = saved.ids
    node.size = saved.bytes
    await stream.done
    stats.files++
    stats.totalBytes += node.size
    progress(`/${stream.filename}`)
    return node
  }

  const buildVirtual = async (prefix: Buffer, rests: string[][], old: TreeNode | undefined): Promise<string[]> =>
    saver.saveTree(encodeTree({ nodes: sortNodes(await virtualNodes(prefix, rests, old)) }))

  /** The nodes of a folder on the way to the given paths: only what leads to them, not its other entries. */
  const virtualNodes = async (prefix: Buffer, rests: string[][], old: TreeNode | undefined): Promise<TreeNode[]> => {
    const oldChildren = await loadOldChildren(old)
    const groups = new Map<string, string[][]>()
    for (const rest of rests) {
      const head = rest[0] as string
      const list = groups.get(head) ?? []
      list.push(rest.slice(1))
      groups.set(head, list)
    }
    const nodes: TreeNode[] = []
    for (const [head, tails] of [...groups.entries()].sort(([a], [b]) => Buffer.compare(Buffer.from(a), Buffer.from(b)))) {
      const name = Buffer.from(head)
      const path = joinPath(prefix, name)
      const oldChild = oldChildren.get(name.toString('base64'))
      if (tails.some((t) => t.length === 0)) {
        const node = await backupNode(path, name, oldChild)
        if (node !== undefined) nodes.push(node)
      } else {
        const node = baseNode(entryStat(await lstat(path, { bigint: true })), name)
        node.subtree = await buildVirtual(path, tails, oldChild)
        nodes.push(node)
      }
    }
    return nodes
  }

  try {
    const tree = await backupRoot()
    await saver.finish()
    const save = saver.stats
    if (warningCount > warnings.length) warnings.push(`... and ${warningCount - warnings.length} more warnings`)
    const result = (snapshot: string, degraded: boolean): BackupResult => ({
      snapshot,
      ...(parent === undefined ? {} : { parent: parent.id }),
      ...(options.dryRun === true ? { dryRun: true } : {}),
      degraded,
      warnings,
      stats: {
        ...stats,
        newChunks: save.newChunks,
        newBytes: save.newBytes,
        packedBytes: save.packedBytes,
        storedBytes: save.storedBytes,
        packs: save.packs,
        seconds: Number(process.hrtime.bigint() - started) / 1e9
      }
    })
    if (options.dryRun === true) return result('', false)
    const shortfall = await options.redundancyCheck({ signal })
    const degraded = shortfall !== undefined
    if (degraded && options.allowDegraded !== true) {
      throw new InsufficientRedundancyError(`${shortfall}; nothing was committed (pass --allow-degraded to commit the snapshot marked degraded)`)
    }
    const record: SnapshotRecord = {
      v: 1,
      time: (options.time ?? new Date()).toISOString(),
      host,
      user: userInfo().username,
      paths: snapshotPaths,
      tags: normalTags(options.tags ?? []),
      tree,
      ...(parent === undefined ? {} : { parent: parent.id }),
      stats: { files: stats.files, dirs: stats.dirs, totalBytes: stats.totalBytes, newBytes: save.newBytes, storedBytes: save.storedBytes },
      degraded
    }
    const id = newSnapshotId()
    signal?.throwIfAborted()
    const [entry] = await repo.components.catalog.append([{ type: 'snapshot-added', repo: repo.id, snapshot: id, sealed: sealSnapshot(repo.keys.metadataKey, repo.id, id, record) }])
    progress(undefined, id)
    if (entry !== undefined) await options.replicate?.(entry.seq, { signal })
    return result(id, degraded)
  } finally {
    scan?.stop()
  }
}

/**
 * The streams' file names, checked: plain names, each once, none the first folder of a path
 * (both would be the same entry at the snapshot's root).
 */
function checkStreamNames (streams: readonly StdinSource[], paths: readonly string[]): void {
  const names = new Set<string>()
  const heads = new Set(paths.map((p) => p.split(sep).find((c) => c !== '')))
  for (const { filename } of streams) {
    if (typeof filename !== 'string' || !isPlainFileName(filename)) {
      throw new InvalidInputError(`a stream's file name must be a plain name without "/", not ${JSON.stringify(filename)}`)
    }
    if (names.has(filename)) throw new InvalidInputError(`two streams are both named ${filename}`)
    if (heads.has(filename)) throw new InvalidInputError(`the stream ${filename} and the path /${filename} would be the same entry of the snapshot`)
    names.add(filename)
  }
}

/** Absolute, without trailing slashes, without duplicates or paths inside another given path. */
function normalizePaths (paths: readonly string[]): string[] {
  const abs = [...new Set(paths.map((p) => resolvePath(p)))].sort()
  return abs.filter((p) => !abs.some((q) => q !== p && (q === '/' || p.startsWith(q + sep))))
}

/** The latest snapshot of the same host and the same paths: its files are the baseline. */
async function findParent (repo: Repository, host: string, paths: readonly string[]): Promise<{ id: string, record: SnapshotRecord } | undefined> {
  const key = [...paths].sort().join('\0')
  const all = await repo.listSnapshots()
  for (let i = all.length - 1; i >= 0; i--) {
    const s = all[i]
    if (s !== undefined && s.record.host === host && [...s.record.paths].sort().join('\0') === key) return s
  }
  return undefined
}
