import type { AbortOptions } from '@resilien/types'
import type { Repository } from './repository.js'
import { nodeNameBytes } from './tree.js'
import type { TreeNode } from './tree.js'

/** An entry of a snapshot whose path matched. */
export interface FoundEntry {
  /** The path in the snapshot, names joined with '/' (a name that is not UTF-8 is shown lossily). */
  path: string
  node: TreeNode
}

/**
 * Every entry of the tree `root` whose path `matches`, depth first in name order. Nothing is
 * held but the folders on the current path, so a snapshot of any size is searched in the same
 * memory; each of its trees is read once.
 */
export async function * findInTree (repo: Repository, root: readonly string[], matches: (path: string) => boolean, options: AbortOptions = {}, prefix = ''): AsyncGenerator<FoundEntry> {
  for (const node of (await repo.loadTree(root, options)).nodes) {
    options.signal?.throwIfAborted()
    const path = `${prefix}/${nodeNameBytes(node).toString('utf8')}`
    if (matches(path)) yield { path, node }
    if (node.subtree !== undefined) yield * findInTree(repo, node.subtree, matches, options, path)
  }
}
