import { IntegrityError, InvalidInputError } from '@resilien/types'
import { BlobType } from '@resilien/repository'
import type { Repository } from '@resilien/repository'
import type { DumpArgs, DumpResult, HandlerContext } from '@resilien/control'
import type { NodeContext } from '../node-context.js'
import { descend } from './ls.js'
import { dumpFolderAsTar } from './dump-tar.js'

/**
 * Chunks read ahead of the one being sent: reads from other sites overlap the client's writes.
 * At most this many chunks (512 KiB each at most) wait here, beside the whole shards the
 * repository's reader caches (its 16 MiB budget).
 */
const READ_AHEAD = 4

/** The plaintext chunks of a file in order, each verified against its id, a few read ahead. */
async function * fileChunks (repo: Repository, ids: readonly string[], signal: AbortSignal): AsyncGenerator<Uint8Array> {
  const reads: Array<Promise<Uint8Array>> = []
  let next = 0
  const readAhead = (): void => {
    while (reads.length < READ_AHEAD && next < ids.length) {
      // A file's chunks lie one after another in its packs: each data shard is read whole,
      // once, checked against its id, and serves the chunks that follow from the reader's cache.
      const read = repo.readBlob(ids[next++] as string, BlobType.data, { signal, wholeShards: true })
      // Rejections are taken when the chunk's turn comes; until then they must not go unhandled.
      read.catch(() => {})
      reads.push(read)
    }
  }
  readAhead()
  while (reads.length > 0) {
    const chunk = await (reads.shift() as Promise<Uint8Array>)
    readAhead()
    yield chunk
  }
}

/**
 * Sends one file of a snapshot as data frames, as fast as the client takes them, or a folder as
 * a tar archive (restic's `dump`).
 */
export async function dumpHandler (ctx: NodeContext, args: DumpArgs, hc: HandlerContext): Promise<DumpResult> {
  const repo = await ctx.openRepo(args.repo, args.password, { signal: hc.signal })
  try {
    const snapshot = await repo.findSnapshot(args.snapshot)
    const { node, prefix, tree } = await descend(repo, snapshot.record.tree, args.path)
    if (node === undefined || node.type === 'dir') {
      const folder = { path: Buffer.from(prefix), ...(node === undefined ? {} : { node }), tree: tree ?? [] }
      const tar = await dumpFolderAsTar(repo, folder, async (bytes) => await hc.send(bytes), hc.signal)
      return { snapshot: snapshot.id, path: prefix === '' ? '/' : prefix, bytes: tar.bytes, archive: { format: 'tar', entries: tar.entries, socketsSkipped: tar.socketsSkipped } }
    }
    if (node.type !== 'file') throw new InvalidInputError(`${prefix} is a ${node.type}, not a file: it has no content to dump`)
    let bytes = 0
    for await (const chunk of fileChunks(repo, node.content ?? [], hc.signal)) {
      await hc.send(chunk)
      bytes += chunk.byteLength
    }
    if (bytes !== node.size) throw new IntegrityError(prefix, `${prefix} has ${bytes} bytes in its chunks but ${node.size} in its folder's record: the snapshot is damaged`)
    return { snapshot: snapshot.id, path: prefix, bytes }
  } finally {
    await repo.close()
  }
}
