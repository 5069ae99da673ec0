import { IntegrityError } from '@resilien/types'
import { BlobType, nodeNameBytes, nodeTargetBytes } from '@resilien/repository'
import type { Repository, TreeNode } from '@resilien/repository'
import { TAR_END, tarHeader, tarPadding } from '../tar-format.js'
import type { TarEntryType } from '../tar-format.js'

/** Chunks read ahead of the one being sent, across files: small files do not wait one by one. */
const READ_AHEAD_CHUNKS = 8
/** Parts (headers, chunks, file ends) queued at most: headers of empty files cannot pile up. */
const MAX_QUEUED_PARTS = 256
/** Headers and small contents go out together in frames of about this size. */
const FRAME_BYTES = 64 * 1024

type TarPart =
  | { kind: 'bytes', bytes: Buffer }
  | { kind: 'chunk', id: string, read?: Promise<Uint8Array> }
  | { kind: 'end', path: string, size: number }

export interface TarDumpResult {
  /** Bytes of the archive. */
  bytes: number
  entries: number
  /** Sockets have no tar form (GNU tar leaves them out too). */
  socketsSkipped: number
}

const TAR_TYPES: ReadonlySet<string> = new Set<TarEntryType>(['file', 'dir', 'symlink', 'fifo', 'chardev', 'blockdev'])

function isTarType (type: string): type is TarEntryType {
  return TAR_TYPES.has(type)
}

/**
 * The parts of the archive of one folder of a snapshot, depth first in the trees' order: each
 * entry's header, a file's chunk ids then its end (where its bytes are counted). `path` is the
 * folder's path in the snapshot ('' for the root, which has no entry of its own).
 */
async function * tarParts (repo: Repository, folder: { path: Buffer, node?: TreeNode, tree: readonly string[] }, counts: TarDumpResult, signal: AbortSignal): AsyncGenerator<TarPart> {
  const entry = (path: Buffer, node: TreeNode, type: TarEntryType): TarPart => {
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
  const walk = async function * (prefix: Buffer, tree: readonly string[]): AsyncGenerator<TarPart> {
    for (const node of (await repo.loadTree(tree, { signal })).nodes) {
      const path = Buffer.concat([prefix, Buffer.from('/'), nodeNameBytes(node)])
      if (!isTarType(node.type)) {
        counts.socketsSkipped++
        continue
      }
      yield entry(path, node, node.type)
      if (node.type === 'file') {
        for (const id of node.content ?? []) yield { kind: 'chunk', id }
        yield { kind: 'end', path: path.toString('utf8'), size: node.size }
      } else if (node.type === 'dir' && node.subtree !== undefined) {
        yield * walk(path, node.subtree)
      }
    }
  }
  if (folder.node !== undefined) yield entry(folder.path, folder.node, 'dir')
  if (folder.tree.length > 0) yield * walk(folder.path, folder.tree)
}

/** Coalesces small writes into frames; a chunk that fills a frame on its own goes out as it is. */
class FrameWriter {
  private readonly pending = Buffer.allocUnsafe(FRAME_BYTES)
  private used = 0
  written = 0

  constructor (private readonly send: (bytes: Uint8Array) => Promise<void>) {}

  async write (bytes: Uint8Array): Promise<void> {
    this.written += bytes.byteLength
    if (this.used + bytes.byteLength <= FRAME_BYTES) {
      this.pending.set(bytes, this.used)
      this.used += bytes.byteLength
      if (this.used === FRAME_BYTES) await this.flush()
      return
    }
    await this.flush()
    let from = 0
    while (bytes.byteLength - from >= FRAME_BYTES) {
      await this.send(bytes.subarray(from, from + FRAME_BYTES))
      from += FRAME_BYTES
    }
    this.pending.set(bytes.subarray(from), 0)
    this.used = bytes.byteLength - from
  }

  /** The control server copies a frame before `send` returns: the buffer is free again at once. */
  async flush (): Promise<void> {
    if (this.used === 0) return
    const frame = this.pending.subarray(0, this.used)
    this.used = 0
    await this.send(frame)
  }
}

/**
 * Writes a folder of a snapshot as a POSIX tar archive (restic's `dump` of a folder), each
 * chunk verified on the way. A few chunks are read ahead across files; a file whose chunks do
 * not add up to the size its header announced stops the archive with an error, short of its
 * end blocks, so no reader takes it for whole.
 */
export async function dumpFolderAsTar (repo: Repository, folder: { path: Buffer, node?: TreeNode, tree: readonly string[] }, send: (bytes: Uint8Array) => Promise<void>, signal: AbortSignal): Promise<TarDumpResult> {
  const result: TarDumpResult = { bytes: 0, entries: 0, socketsSkipped: 0 }
  const out = new FrameWriter(send)
  const queue: TarPart[] = []
  let reading = 0
  let fileBytes = 0
  const emit = async (part: TarPart): Promise<void> => {
    if (part.kind === 'bytes') return await out.write(part.bytes)
    if (part.kind === 'chunk') {
      reading--
      const chunk = await (part.read as Promise<Uint8Array>)
      fileBytes += chunk.byteLength
      return await out.write(chunk)
    }
    if (fileBytes !== part.size) throw new IntegrityError(part.path, `${part.path} has ${fileBytes} bytes in its chunks but ${part.size} in its folder's record: the snapshot is damaged`)
    fileBytes = 0
    await out.write(tarPadding(part.size))
  }
  try {
    for await (const part of tarParts(repo, folder, result, signal)) {
      if (part.kind === 'chunk') {
        // A file's chunks lie one after another in its packs: whole shards, read once, serve the next ones.
        part.read = repo.readBlob(part.id, BlobType.data, { signal, wholeShards: true })
        // Rejections are taken when the chunk's turn comes; until then they must not go unhandled.
        part.read.catch(() => {})
        reading++
      }
      queue.push(part)
      while (reading > READ_AHEAD_CHUNKS || queue.length > MAX_QUEUED_PARTS) await emit(queue.shift() as TarPart)
    }
    while (queue.length > 0) await emit(queue.shift() as TarPart)
  } finally {
    // Reads still queued after a failure are dropped (their rejections are already handled).
    queue.length = 0
  }
  await out.write(TAR_END)
  await out.flush()
  result.bytes = out.written
  return result
}
