import { InsufficientRedundancyError, InvalidInputError } from '@resilien/types'
import type { AbortOptions } from '@resilien/types'
import { BlobSaver } from './blob-saver.js'
import type { SnapshotCommitOptions } from './backup.js'
import { compileExclude } from './exclude.js'
import type { ExcludeMatcher } from './exclude.js'
import { LruCache } from './lru-cache.js'
import type { Repository, SnapshotEntry } from './repository.js'
import { newSnapshotId, sealSnapshot } from './snapshot-record.js'
import type { SnapshotRecord } from './snapshot-record.js'
import { encodeTree, nodeNameBytes } from './tree.js'
import type { TreeNode } from './tree.js'

/** restic's tag for a rewritten snapshot that stands beside its original (not with --forget). */
export const REWRITE_TAG = 'rewrite'
/**
 * Folders already rewritten, by path and tree: daily snapshots share most folders, and each is
 * walked once. Bounded (an LRU) so a large repository does not grow it without end.
 */
const MEMO_FOLDERS = 4096
/** Snapshot facts appended per catalog call: a pair per snapshot with --forget, so both land together. */
const FACTS_PER_APPEND = 800

/**
 * What an exclusion took out of a snapshot, counted as backup counts a snapshot's stats: regular
 * files and their bytes, and folders (symlinks and special files are taken out, not counted).
 */
export interface RemovedEntries {
  files: number
  dirs: number
  bytes: number
}

export interface RewriteOptions extends AbortOptions, SnapshotCommitOptions {
  /** restic's exclude patterns (as `backup --exclude`): matching paths leave the snapshots. */
  exclude: readonly string[]
  /** Forget each original in the same catalog batch as its rewrite (restic's --forget). */
  forget?: boolean
  /** Say what would change; store and commit nothing. */
  dryRun?: boolean
}

export interface RewrittenSnapshot {
  from: string
  /** The new snapshot's id ('' in a dry run). */
  to: string
  removed: RemovedEntries
}

export interface RewriteResult {
  rewritten: RewrittenSnapshot[]
  /** Snapshots that hold nothing the patterns match: left as they are. */
  unchanged: string[]
  /** Snapshots forgotten by someone else while they were being rewritten: no copy was committed. */
  vanished: string[]
  forgotten: boolean
  dryRun: boolean
  /** Committed although some stripe would not survive a site's loss (--allow-degraded, or one site). */
  degraded: boolean
}

interface FolderRewrite {
  tree: string[]
  changed: boolean
  removed: RemovedEntries
}

function addCounts (into: RemovedEntries, more: RemovedEntries): void {
  into.files += more.files
  into.dirs += more.dirs
  into.bytes += more.bytes
}

/** One entry that is not a folder, as backup counts it: a regular file and its bytes; nothing for a symlink or a special file. */
function countLeaf (into: RemovedEntries, node: TreeNode): void {
  if (node.type !== 'file') return
  into.files++
  into.bytes += node.size
}

/**
 * Rewrites the folders of snapshots without the entries that match: a folder whose entries all
 * stay keeps its tree ids (nothing is stored for it); a changed one is stored anew, and so are
 * the folders above it up to the root.
 */
class TreeRewriter {
  private readonly memo = new LruCache<string, FolderRewrite>(MEMO_FOLDERS)
  /** What the folders taken out held, by tree: the same folder leaves snapshot after snapshot. */
  private readonly counted = new LruCache<string, RemovedEntries>(MEMO_FOLDERS)

  constructor (private readonly repo: Repository, private readonly excluded: ExcludeMatcher, private readonly saver: BlobSaver | undefined, private readonly options: AbortOptions) {}

  /** Counts what a folder taken out held, itself included. */
  private async countFolder (tree: readonly string[] | undefined): Promise<RemovedEntries> {
    const key = tree?.join(',') ?? ''
    const known = this.counted.get(key)
    if (known !== undefined) return known
    const out: RemovedEntries = { files: 0, dirs: 1, bytes: 0 }
    if (tree !== undefined) {
      for (const node of (await this.repo.loadTree(tree, this.options)).nodes) {
        if (node.type === 'dir') addCounts(out, await this.countFolder(node.subtree))
        else countLeaf(out, node)
      }
    }
    this.counted.set(key, out)
    return out
  }

  async rewrite (tree: string[], path: string): Promise<FolderRewrite> {
    // By path too: what a pattern matches depends on where a folder is, and one tree can be met
    // at two paths (a folder backed up through a bind mount as well).
    const key = `${path}\0${tree.join(',')}`
    const known = this.memo.get(key)
    if (known !== undefined) return known
    this.options.signal?.throwIfAborted()
    const removed: RemovedEntries = { files: 0, dirs: 0, bytes: 0 }
    const kept: TreeNode[] = []
    let changed = false
    for (const node of (await this.repo.loadTree(tree, this.options)).nodes) {
      const childPath = `${path}/${nodeNameBytes(node).toString('utf8')}`
      if (this.excluded(childPath)) {
        changed = true
        if (node.type === 'dir') addCounts(removed, await this.countFolder(node.subtree))
        else countLeaf(removed, node)
        continue
      }
      if (node.type === 'dir' && node.subtree !== undefined) {
        const below = await this.rewrite(node.subtree, childPath)
        addCounts(removed, below.removed)
        if (below.changed) {
          changed = true
          kept.push({ ...node, subtree: below.tree })
          continue
        }
      }
      kept.push(node)
    }
    // The nodes stay in their order (sorted by name when first saved): only some are gone.
    const result: FolderRewrite = changed
      ? { tree: this.saver === undefined ? [] : await this.saver.saveTree(encodeTree({ nodes: kept })), changed, removed }
      : { tree, changed, removed }
    this.memo.set(key, result)
    return result
  }
}

/** True when a snapshot without recorded paths has root entries and the patterns take them all. */
async function rootAllExcluded (repo: Repository, tree: string[], excluded: ExcludeMatcher, options: AbortOptions): Promise<boolean> {
  const { nodes } = await repo.loadTree(tree, options)
  return nodes.length > 0 && nodes.every((n) => excluded(`/${nodeNameBytes(n).toString('utf8')}`))
}

/**
 * Takes paths out of existing snapshots, as restic's `rewrite` does: each snapshot that holds a
 * matching path gets a new snapshot with the same time, host, paths and tags (plus `rewrite`,
 * unless the original is forgotten with it), `original` naming the first id. Only the folders
 * on the way to what was taken out are stored anew; the data stays until a prune finds nothing
 * references it. The new trees are durable, indexed and published, and pass the site's commit
 * rule, before any snapshot fact is written; with `forget`, a snapshot and its original's
 * forgetting go in one catalog batch, so a site sees the old snapshot or the new one, never
 * neither.
 */
export async function rewriteSnapshots (repo: Repository, named: readonly SnapshotEntry[], options: RewriteOptions): Promise<RewriteResult> {
  // A snapshot given twice (latest and its id) is rewritten once.
  const snapshots = [...new Map(named.map((s) => [s.id, s])).values()]
  if (options.exclude.length === 0) throw new InvalidInputError('say what to take out of the snapshots: --exclude PATTERN or --exclude-file FILE')
  const excluded = compileExclude(options.exclude)
  const dryRun = options.dryRun === true
  const signalOnly: AbortOptions = options.signal === undefined ? {} : { signal: options.signal }
  // A snapshot whose every path would go is refused before anything is stored: forget it instead.
  // Its paths decide (the folders above them are only the way there); without paths, its root's names.
  for (const s of snapshots) {
    const gone = s.record.paths.length > 0
      ? s.record.paths.every((p) => excluded(p))
      : await rootAllExcluded(repo, s.record.tree, excluded, signalOnly)
    if (gone) {
      throw new InvalidInputError(`the patterns take every path out of snapshot ${s.id.slice(0, 8)}: forget it instead (resilien forget ${repo.record.name} ${s.id.slice(0, 8)})`)
    }
  }
  const saver = dryRun
    ? undefined
    : new BlobSaver(repo, {
      ...signalOnly,
      ...(options.sealPool === undefined ? {} : { sealPool: options.sealPool }),
      ...(options.allowDegraded === true ? { allowDegraded: true } : {})
    })
  const rewriter = new TreeRewriter(repo, excluded, saver, signalOnly)
  const planned: Array<{ snapshot: SnapshotEntry, tree: string[], removed: RemovedEntries }> = []
  const unchanged: string[] = []
  for (const s of snapshots) {
    const r = await rewriter.rewrite(s.record.tree, '')
    if (r.changed) planned.push({ snapshot: s, tree: r.tree, removed: r.removed })
    else unchanged.push(s.id)
  }
  const result: RewriteResult = { rewritten: [], unchanged, vanished: [], forgotten: options.forget === true && !dryRun, dryRun, degraded: false }
  if (dryRun || saver === undefined || planned.length === 0) {
    result.rewritten = planned.map((p) => ({ from: p.snapshot.id, to: '', removed: p.removed }))
    return result
  }
  await saver.finish()
  const shortfall = await options.redundancyCheck(signalOnly)
  result.degraded = shortfall !== undefined
  if (result.degraded && options.allowDegraded !== true) {
    throw new InsufficientRedundancyError(`${shortfall as string}; no snapshot was rewritten (pass --allow-degraded to commit them marked degraded)`)
  }
  // A snapshot forgotten meanwhile (a forget or a tag during the walk, as this site's catalog knows
  // it so far) is not brought back as a copy.
  const live = new Set((await repo.listSnapshots()).map((s) => s.id))
  result.vanished = planned.filter((p) => !live.has(p.snapshot.id)).map((p) => p.snapshot.id)
  const facts = planned.filter((p) => live.has(p.snapshot.id)).map(({ snapshot, tree, removed }) => {
    const old = snapshot.record
    const record: SnapshotRecord = {
      ...old,
      tree,
      tags: options.forget === true || old.tags.includes(REWRITE_TAG) ? old.tags : [...old.tags, REWRITE_TAG].sort(),
      original: old.original ?? snapshot.id,
      stats: { ...old.stats, files: old.stats.files - removed.files, dirs: old.stats.dirs - removed.dirs, totalBytes: old.stats.totalBytes - removed.bytes },
      degraded: old.degraded || result.degraded
    }
    const id = newSnapshotId()
    result.rewritten.push({ from: snapshot.id, to: id, removed })
    return [
      { type: 'snapshot-added' as const, repo: repo.id, snapshot: id, sealed: sealSnapshot(repo.keys.metadataKey, repo.id, id, record) },
      ...(options.forget === true ? [{ type: 'snapshot-forgotten' as const, repo: repo.id, snapshot: snapshot.id }] : [])
    ]
  })
  const perAppend = options.forget === true ? FACTS_PER_APPEND / 2 : FACTS_PER_APPEND
  let last: number | undefined
  // Once the first batch is in, the others follow without an abort between them. (Waiting for
  // another site to hold them comes after: an abort there reports an error for snapshots that
  // are committed all the same, as for a backup.)
  options.signal?.throwIfAborted()
  for (let i = 0; i < facts.length; i += perAppend) {
    const entries = await repo.components.catalog.append(facts.slice(i, i + perAppend).flat())
    last = entries.at(-1)?.seq ?? last
  }
  if (last !== undefined) await options.replicate?.(last, signalOnly)
  return result
}
