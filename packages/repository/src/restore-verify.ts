import { open } from 'node:fs/promises'
import type { FileHandle } from 'node:fs/promises'
import { keyedHash } from '@resilien/hashing'
import { fromHex, toHex } from '@resilien/types'
import type { Repository } from './repository.js'
import type { TreeNode } from './tree.js'

/** Chunk ids looked up in the index per LevelDB round trip. */
const LOOKUP_BATCH = 256

/** Reads until `into` is full or the file ends (a read may return less than asked); the bytes read. */
async function readFully (handle: FileHandle, into: Buffer, position: number): Promise<number> {
  let got = 0
  while (got < into.byteLength) {
    const { bytesRead } = await handle.read(into, got, into.byteLength - got, position + got)
    if (bytesRead === 0) break
    got += bytesRead
  }
  return got
}

/** Totals of `restore --verify`. */
export interface VerifyCounts {
  files: number
  bytes: number
}

/**
 * Reads a restored file back from the disk and checks it against the snapshot (restic's
 * `restore --verify`): its length, then each chunk's bytes, hashed with the repository's chunk id
 * key, against the chunk's id. The restore already checked every chunk it read from the sites;
 * this checks what reached the disk (a failing disk, a full one that lied, a file that something
 * else wrote meanwhile). Returns what is wrong, or undefined. A read buffer per file in flight,
 * grown to the largest chunk met, serves file after file.
 */
export class RestoredFileVerifier {
  /** Read buffers of files finished, for the next ones (one per file being verified). */
  private readonly spare: Buffer[] = []

  constructor (private readonly repo: Repository, readonly counts: VerifyCounts = { files: 0, bytes: 0 }) {}

  async verify (node: TreeNode, dest: Buffer): Promise<string | undefined> {
    const buffer = { bytes: this.spare.pop() ?? Buffer.alloc(0) }
    try {
      return await this.check(node, dest, buffer)
    } finally {
      this.spare.push(buffer.bytes)
    }
  }

  private async check (node: TreeNode, dest: Buffer, buffer: { bytes: Buffer }): Promise<string | undefined> {
    const where = dest.toString()
    let handle: FileHandle
    try {
      handle = await open(dest, 'r')
    } catch (err) {
      return `${where}: cannot be read back to verify it: ${(err as Error).message}`
    }
    try {
      const size = (await handle.stat()).size
      if (size !== node.size) return `${where}: restored with ${size} bytes, the snapshot has ${node.size}`
      const ids = node.content ?? []
      let offset = 0
      for (let from = 0; from < ids.length; from += LOOKUP_BATCH) {
        const batch = ids.slice(from, from + LOOKUP_BATCH)
        const located = await this.repo.index.getMany(batch.map(fromHex))
        for (let i = 0; i < batch.length; i++) {
          const length = located[i]?.rawLength
          if (length === undefined) return `${where}: chunk ${(batch[i] as string).slice(0, 16)} is not in the index: cannot verify it`
          if (buffer.bytes.byteLength < length) buffer.bytes = Buffer.allocUnsafe(length)
          const got = await readFully(handle, buffer.bytes.subarray(0, length), offset)
          if (got !== length || toHex(keyedHash(this.repo.keys.chunkIdKey, buffer.bytes.subarray(0, length))) !== batch[i]) {
            return `${where}: the restored bytes from ${offset} to ${offset + length} differ from the snapshot's`
          }
          offset += length
        }
      }
      this.counts.files++
      this.counts.bytes += offset
      return undefined
    } finally {
      await handle.close()
    }
  }
}
