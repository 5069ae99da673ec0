import { InvalidInputError } from '@resilien/types'
import type { TreeNode } from '@resilien/repository'
import type { DumpArgs, DumpResult, HandlerContext } from '@resilien/control'
import type { NodeContext } from '../node-context.js'
import { descend } from './ls.js'
import { dumpFolderAsTar } from './dump-tar.js'
import { streamDumpParts } from './dump-stream.js'
import type { DumpPart } from './dump-stream.js'

/** A file's parts: its start, its chunks, its end (where its size is checked). */
async function * fileParts (path: string, node: TreeNode): AsyncGenerator<DumpPart> {
  yield { kind: 'file', path, size: node.size }
  for (const id of node.content ?? []) yield { kind: 'chunk', id }
  yield { kind: 'end' }
}

/**
 * Sends one file of a snapshot as data frames, as fast as the client takes them, or a folder as
 * a tar archive (restic's `dump`).
 */
export async function dumpHandler (ctx: NodeContext, args: DumpArgs, hc: HandlerContext): Promise<DumpResult> {
  const repo = await ctx.openRepo(args.repo, args.password, { signal: hc.signal })
  try {
    return await ctx.locks.shared(repo.id, async () => {
      const snapshot = await repo.findSnapshot(args.snapshot)
      const { node, prefix, tree } = await descend(repo, snapshot.record.tree, args.path)
      if (node === undefined || node.type === 'dir') {
        const folder = { path: Buffer.from(prefix), ...(node === undefined ? {} : { node }), tree: tree ?? [] }
        const tar = await dumpFolderAsTar(repo, folder, async (bytes) => await hc.send(bytes), hc.signal)
        return { snapshot: snapshot.id, path: prefix === '' ? '/' : prefix, bytes: tar.bytes, archive: { format: 'tar', entries: tar.entries, socketsSkipped: tar.socketsSkipped } }
      }
      if (node.type !== 'file') throw new InvalidInputError(`${prefix} is a ${node.type}, not a file: it has no content to dump`)
      const bytes = await streamDumpParts(repo, fileParts(prefix, node), async (chunk) => await hc.send(chunk), hc.signal)
      return { snapshot: snapshot.id, path: prefix, bytes }
    }, hc.signal)
  } finally {
    await repo.close()
  }
}
