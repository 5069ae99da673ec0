import { nodeNameBytes, nodeTargetBytes } from '@resilien/repository'
import type { Repository, TreeNode } from '@resilien/repository'
import { TAR_END, tarHeader, tarPadding } from '../tar-format.js'
import type { TarEntryType } from '../tar-format.js'
import { streamDumpParts } from './dump-stream.js'
import type { DumpPart } from './dump-stream.js'

export interface TarDumpResult {
  /** Bytes of the archive. */
  bytes: number
  entries: number
  /** Sockets have no tar form (GNU tar leaves them out too). */
  socketsSkipped: number
}

/** A folder of a snapshot: its path ('' for the root, which has no entry of its own), its node, its tree. */
export interface DumpedFolder {
  path: Buffer
  node?: TreeNode
  tree: readonly string[]
}

const TAR_TYPES: ReadonlySet<string> = new Set<TarEntryType>(['file', 'dir', 'symlink', 'fifo', 'chardev', 'blockdev'])

function isTarType (type: string): type is TarEntryType {
  return TAR_TYPES.has(type)
}

/**
 * The parts of the archive of one folder of a snapshot, depth first in the trees' order: each
 * entry's header; for a file, its chunks then its padding to a whole block.
 */
async function * tarParts (repo: Repository, folder: DumpedFolder, counts: TarDumpResult, signal: AbortSignal): AsyncGenerator<DumpPart> {
  const entry = (path: Buffer, node: TreeNode, type: TarEntryType): DumpPart => {
    counts.entries++
    return {
      kind: 'bytes',
      bytes: tarHeader({
        // Paths in the archive are relative to the snapshot's root, as restic's dump writes them.
        path: path.subarray(1),
        type,
        mode: node.mode,
        uid: node.uid,
        gid: node.gid,
        size: type === 'file' ? node.size : 0,
        mtimeNs: BigInt(node.mtimeNs),
        ...(type === 'symlink' ? { linkTarget: nodeTargetBytes(node) } : {}),
        ...(node.rdev === undefined ? {} : { rdev: node.rdev })
      })
    }
  }
  const walk = async function * (prefix: Buffer, tree: readonly string[]): AsyncGenerator<DumpPart> {
    for (const node of (await repo.loadTree(tree, { signal })).nodes) {
      const path = Buffer.concat([prefix, Buffer.from('/'), nodeNameBytes(node)])
      if (!isTarType(node.type)) {
        counts.socketsSkipped++
        continue
      }
      yield entry(path, node, node.type)
      if (node.type === 'file') {
        yield { kind: 'file', path: path.toString('utf8'), size: node.size }
        for (const id of node.content ?? []) yield { kind: 'chunk', id }
        yield { kind: 'end' }
        const padding = tarPadding(node.size)
        if (padding.byteLength > 0) yield { kind: 'bytes', bytes: padding }
      } else if (node.type === 'dir' && node.subtree !== undefined) {
        yield * walk(path, node.subtree)
      }
    }
  }
  if (folder.node !== undefined) yield entry(folder.path, folder.node, 'dir')
  if (folder.tree.length > 0) yield * walk(folder.path, folder.tree)
  yield { kind: 'bytes', bytes: TAR_END }
}

/**
 * Writes a folder of a snapshot as a POSIX tar archive (restic's `dump` of a folder), each
 * chunk verified on the way. A file whose chunks do not add up to the size its header announced
 * stops the archive with an error, short of its end blocks, so no reader takes it for whole.
 */
export async function dumpFolderAsTar (repo: Repository, folder: DumpedFolder, send: (bytes: Uint8Array) => Promise<void>, signal: AbortSignal): Promise<TarDumpResult> {
  const result: TarDumpResult = { bytes: 0, entries: 0, socketsSkipped: 0 }
  result.bytes = await streamDumpParts(repo, tarParts(repo, folder, result, signal), send, signal)
  return result
}
