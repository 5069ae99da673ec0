import type { AbortOptions } from '@resilien/types'
import type { Repository } from './repository.js'
import { nodeNameBytes, nodeTargetBytes } from './tree.js'
import type { NodeType, TreeNode } from './tree.js'

/**
 * One difference between two snapshot trees, restic's letters: `+` only in the second, `-`
 * only in the first, `M` content changed (a file's chunks, a link's target, a device), `U`
 * metadata only (mode, owner, mtime), `T` type changed.
 */
export interface TreeChange {
  change: '+' | '-' | 'M' | 'U' | 'T'
  /** The path in the snapshot, as bytes joined with '/' (names need not be UTF-8). */
  path: Buffer
  type: NodeType
  /** A file's size (the second snapshot's for M, U and T). */
  size: number
}

const SLASH = Buffer.from('/')

function sameIds (a: readonly string[] | undefined, b: readonly string[] | undefined): boolean {
  if (a === undefined || b === undefined) return a === b
  return a.length === b.length && a.every((id, i) => id === b[i])
}

function sameContent (a: TreeNode, b: TreeNode): boolean {
  if (a.type === 'symlink') return nodeTargetBytes(a).equals(nodeTargetBytes(b))
  return sameIds(a.content, b.content) && a.size === b.size && a.rdev === b.rdev
}

function sameMetadata (a: TreeNode, b: TreeNode): boolean {
  return a.mode === b.mode && a.uid === b.uid && a.gid === b.gid && a.mtimeNs === b.mtimeNs
}

/**
 * The differences from the tree `from` to the tree `to`, depth first in name order. Folders
 * whose subtree ids are equal are skipped unread (content addressing: same id, same tree), so
 * comparing two snapshots a day apart reads only the folders that changed. Nothing is held but
 * the folders on the current path.
 */
export async function * diffTrees (repo: Repository, from: readonly string[] | undefined, to: readonly string[] | undefined, options: AbortOptions = {}, prefix: Buffer = Buffer.alloc(0)): AsyncGenerator<TreeChange> {
  if (sameIds(from, to)) return
  const a = from === undefined ? [] : (await repo.loadTree(from, options)).nodes
  const b = to === undefined ? [] : (await repo.loadTree(to, options)).nodes
  let i = 0
  let j = 0
  while (i < a.length || j < b.length) {
    options.signal?.throwIfAborted()
    const x = a[i]
    const y = b[j]
    const order = x === undefined ? 1 : y === undefined ? -1 : Buffer.compare(nodeNameBytes(x), nodeNameBytes(y))
    if (order < 0) {
      yield * whole('-', repo, x as TreeNode, prefix, options)
      i++
    } else if (order > 0) {
      yield * whole('+', repo, y as TreeNode, prefix, options)
      j++
    } else {
      yield * compared(repo, x as TreeNode, y as TreeNode, prefix, options)
      i++
      j++
    }
  }
}

function pathOf (prefix: Buffer, node: TreeNode): Buffer {
  return Buffer.concat([prefix, SLASH, nodeNameBytes(node)])
}

/** A node only on one side, with everything below it. */
async function * whole (change: '+' | '-', repo: Repository, node: TreeNode, prefix: Buffer, options: AbortOptions): AsyncGenerator<TreeChange> {
  const path = pathOf(prefix, node)
  yield { change, path, type: node.type, size: node.type === 'file' ? node.size : 0 }
  if (node.type === 'dir') {
    yield * (change === '+' ? diffTrees(repo, undefined, node.subtree, options, path) : diffTrees(repo, node.subtree, undefined, options, path))
  }
}

/** A name on both sides. */
async function * compared (repo: Repository, a: TreeNode, b: TreeNode, prefix: Buffer, options: AbortOptions): AsyncGenerator<TreeChange> {
  const path = pathOf(prefix, a)
  const size = b.type === 'file' ? b.size : 0
  if (a.type !== b.type) {
    yield { change: 'T', path, type: b.type, size }
    // What was below a folder that is gone, or is below a new one, is listed as such.
    if (a.type === 'dir') yield * diffTrees(repo, a.subtree, undefined, options, path)
    if (b.type === 'dir') yield * diffTrees(repo, undefined, b.subtree, options, path)
    return
  }
  if (a.type === 'dir') {
    if (!sameMetadata(a, b)) yield { change: 'U', path, type: 'dir', size: 0 }
    yield * diffTrees(repo, a.subtree, b.subtree, options, path)
    return
  }
  if (!sameContent(a, b)) yield { change: 'M', path, type: b.type, size }
  else if (!sameMetadata(a, b)) yield { change: 'U', path, type: b.type, size }
}
