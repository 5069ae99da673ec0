import { NotFoundError } from '@resilien/types'
import { BlobType } from './format.js'
import type { BlobRef } from './blob-reader.js'
import type { ChunkIndex } from './chunk-index.js'
import type { TreeNode } from './tree.js'

/**
 * Chunks planned at once: about 512 MiB of file data at the 64 KiB average, spread over some 120
 * packs. The plan holds a few hundred bytes per chunk, so it stays near two megabytes whatever the
 * snapshot's size (two plans at most: restore-windows.ts). A pack holds the files a backup's
 * walkers had in flight together, which a restore's walk may meet far apart: a pack whose blobs
 * fall in two windows is read twice. Measured on a 540 MB restore in a 3-site cluster: 4,096
 * chunks sent 474 MB between sites, 8,192 sent 286 MB; on a 1 GB tree, 2.08 GB read against 1.63.
 */
export const WINDOW_CHUNKS = 8192
/** Files planned at once: bounds the window when files are tiny (doubled with WINDOW_CHUNKS). */
export const WINDOW_FILES = 4096
/** Index lookups per LevelDB round trip. */
const LOOKUP_BATCH = 1024

/** A regular file of the snapshot being restored, as the main thread plans it. */
export interface PlannedFile {
  /** Its number for the restore's writer (restore-sink.ts). */
  id: number
  node: TreeNode
  dest: Buffer
  /** Where the next planned chunk starts: plaintext lengths are known once the index is read. */
  nextPosition: number
}

/** One place a chunk's bytes go. */
export interface ChunkTarget {
  file: PlannedFile
  position: number
}

/** One blob to read, and every place in the window it is written to (dedup inside the window). */
export interface BlobUse {
  ref: BlobRef
  targets: ChunkTarget[]
}

/** A pack and the blobs the window needs from it, in pack order. */
export interface PackReads {
  pack: string
  uses: BlobUse[]
}

/** A run of one file's chunks that belongs to the window. */
interface FileSlice {
  file: PlannedFile
  from: number
  to: number
}

/**
 * A window of the restore: a run of files (or of one large file's chunks) in the walk's order,
 * turned into reads grouped by pack. Each pack the window touches is read once, and its blobs
 * are written to every file and position that needs them, as restic's restorer does; memory is
 * bounded by the window, not by the snapshot.
 */
export class RestoreWindow {
  private readonly slices: FileSlice[] = []
  private chunks = 0

  /** `maxChunks`: smaller only in tests, to cut files over several windows. */
  constructor (private readonly maxChunks = WINDOW_CHUNKS) {}

  get size (): number {
    return this.chunks
  }

  get empty (): boolean {
    return this.slices.length === 0
  }

  /** Room left for chunks; 0 when the window must be read before more is added. */
  room (): number {
    return this.slices.length >= WINDOW_FILES ? 0 : Math.max(0, this.maxChunks - this.chunks)
  }

  /** Chunks [from, to) of the file join the window. */
  add (file: PlannedFile, from: number, to: number): void {
    this.slices.push({ file, from, to })
    this.chunks += to - from
  }

  /**
   * Looks the window's chunks up in the index and groups them by pack, packs in the order the
   * files first need them (so files finish early and their handles close). Positions follow the
   * files' chunk lengths, slices of one file being planned in order.
   */
  async plan (index: ChunkIndex): Promise<PackReads[]> {
    const byPack = new Map<string, PackReads>()
    const byChunk = new Map<string, BlobUse>()
    for (let s = 0; s < this.slices.length;) {
      // Slices are grouped into lookup batches of about LOOKUP_BATCH ids.
      const batch: FileSlice[] = []
      let count = 0
      while (s < this.slices.length && (batch.length === 0 || count < LOOKUP_BATCH)) {
        const slice = this.slices[s++] as FileSlice
        batch.push(slice)
        count += slice.to - slice.from
      }
      const ids = batch.flatMap(({ file, from, to }) => (file.node.content as string[]).slice(from, to))
      const locations = await index.getMany(ids.map((id) => Buffer.from(id, 'hex')))
      let at = 0
      for (const { file, from, to } of batch) {
        for (let i = from; i < to; i++, at++) {
          const id = ids[at] as string
          const location = locations[at]
          if (location === undefined) throw new NotFoundError('chunk', id, `chunk ${id} of ${file.dest.toString()} is not in the index`)
          const target = { file, position: file.nextPosition }
          file.nextPosition += location.rawLength
          let use = byChunk.get(id)
          if (use === undefined) {
            use = { ref: { id: Buffer.from(id, 'hex'), type: BlobType.data, pack: location.pack, offset: location.offset, length: location.length }, targets: [] }
            byChunk.set(id, use)
            let reads = byPack.get(location.pack)
            if (reads === undefined) {
              reads = { pack: location.pack, uses: [] }
              byPack.set(location.pack, reads)
            }
            reads.uses.push(use)
          }
          use.targets.push(target)
        }
      }
    }
    for (const reads of byPack.values()) reads.uses.sort((a, b) => a.ref.offset - b.ref.offset)
    return [...byPack.values()]
  }
}
