import { NotFoundError } from '@resilien/types'
import { nodeNameBytes, nodeTargetBytes } from '@resilien/repository'
import type { TreeNode, Repository } from '@resilien/repository'
import type { HandlerContext, LsArgs, LsEntry } from '@resilien/control'
import type { NodeContext } from '../node-context.js'

/** An entry as `ls` (and `find`) shows it. */
export function lsEntry (path: string, node: TreeNode): LsEntry {
  const e: LsEntry = {
    path,
    type: node.type,
    size: node.size,
    mode: node.mode,
    mtime: new Date(Number(BigInt(node.mtimeNs) / 1000000n)).toISOString()
  }
  if (node.type === 'symlink') e.target = nodeTargetBytes(node).toString('utf8')
  return e
}

/** Walks down to `path` inside the snapshot; returns the subtree to list and its path. */
export async function descend (repo: Repository, root: string[], path: string | undefined): Promise<{ tree: string[] | undefined, prefix: string, node?: TreeNode }> {
  const parts = (path ?? '/').split('/').filter((c) => c !== '')
  let ids: string[] | undefined = root
  let node: TreeNode | undefined
  let prefix = ''
  for (const part of parts) {
    if (ids === undefined) throw new NotFoundError('path', path ?? '/', `${path ?? '/'} is not in the snapshot`)
    const tree = await repo.loadTree(ids)
    node = tree.nodes.find((n) => nodeNameBytes(n).equals(Buffer.from(part)))
    if (node === undefined) throw new NotFoundError('path', path ?? '/', `${path ?? '/'} is not in the snapshot`)
    prefix += '/' + part
    ids = node.subtree
  }
  return { tree: ids, prefix, ...(node === undefined ? {} : { node }) }
}

/** Streams every entry below a path of a snapshot, depth first, as items: memory stays flat. */
export async function lsHandler (ctx: NodeContext, args: LsArgs, hc: HandlerContext): Promise<{ entries: number }> {
  const repo = await ctx.openRepo(args.repo, args.password, { signal: hc.signal })
  try {
    return await ctx.locks.shared(repo.id, async () => {
      const snapshot = await repo.findSnapshot(args.snapshot)
      const start = await descend(repo, snapshot.record.tree, args.path)
      let entries = 0
      if (start.node !== undefined && start.node.type !== 'dir') {
        hc.item(lsEntry(start.prefix, start.node))
        return { entries: 1 }
      }
      const walk = async (ids: string[], prefix: string): Promise<void> => {
        for (const node of (await repo.loadTree(ids, { signal: hc.signal })).nodes) {
          const path = `${prefix}/${nodeNameBytes(node).toString('utf8')}`
          hc.item(lsEntry(path, node))
          entries++
          if (node.subtree !== undefined) await walk(node.subtree, path)
        }
      }
      if (start.tree !== undefined) await walk(start.tree, start.prefix)
      return { entries }
    }, hc.signal)
  } finally {
    await repo.close()
  }
}
