import { constants } from 'node:fs'
import { open } from 'node:fs/promises'
import type { FileHandle } from 'node:fs/promises'
import { alignedBuffer, alignUp, refusedDirect } from './aligned-memory.js'

/**
 * Shard files are written with O_DIRECT where the file system allows it: the bytes go from our
 * buffer to the disk without a copy into the page cache. A shard is read again only by a restore,
 * a scrub or a repair, so caching it evicts what the site's own services (Nextcloud, a database)
 * read all day, and the copy into fresh cache pages is CPU a small board does not have (on this
 * VM it was a sixth of a first backup's CPU). Borg drops written segments from the cache for the
 * same reason, after paying the copy.
 *
 * Bytes are staged through aligned slots (aligned-memory.ts), written in whole slots, and the last
 * piece is padded to the alignment and the file truncated to its size.
 */
/** One staging slot; a shard file is written in pieces of this size. */
export const DIRECT_SLOT_BYTES = 1024 * 1024
/** Files written directly at once; a put that finds no free slot writes through the cache. */
const DIRECT_SLOTS = 4

/** Set RESILIEN_DIRECT_IO=0 to write (and scrub) every shard through the page cache (for comparisons). */
function directWanted (): boolean {
  return process.env.RESILIEN_DIRECT_IO !== '0' && typeof constants.O_DIRECT === 'number'
}

/** Where staging slots come from: the process's aligned slots, or in tests a pool of one's own. */
export interface StagingSlots {
  /** A free slot, or undefined when all are lent out. */
  take: () => Uint8Array | undefined
  give: (slot: Uint8Array) => void
}

class AlignedSlots implements StagingSlots {
  readonly #count: number
  #free: Uint8Array[] | undefined

  constructor (count: number) {
    this.#count = count
  }

  /** The memory is made on first use. */
  take (): Uint8Array | undefined {
    if (this.#free === undefined) {
      const memory = alignedBuffer(this.#count * DIRECT_SLOT_BYTES)
      this.#free = Array.from({ length: this.#count }, (_, i) => memory.subarray(i * DIRECT_SLOT_BYTES, (i + 1) * DIRECT_SLOT_BYTES))
    }
    return this.#free.pop()
  }

  give (slot: Uint8Array): void {
    this.#free?.push(slot)
  }
}

/** `count` slots of DIRECT_SLOT_BYTES, aligned for O_DIRECT. */
export function createAlignedSlots (count: number): StagingSlots {
  return new AlignedSlots(count)
}

const processSlots = createAlignedSlots(DIRECT_SLOTS)

/** Sequential writes into a new file, then fsync; direct or through the cache as the file system allows. */
export interface ShardFileSink {
  write: (bytes: Uint8Array) => Promise<void>
  /** Writes what is staged, sets the file's length, fsyncs and closes it. */
  finish: () => Promise<void>
  /** Closes the file without finishing it, also after a failed finish (the caller removes it). */
  abandon: () => Promise<void>
}

/**
 * One per store: remembers whether its file system refused O_DIRECT (tmpfs on older kernels,
 * ramfs, some network and FUSE file systems), so that only the first file there pays the retry.
 */
export class DirectWrites {
  #supported: boolean
  readonly #slots: StagingSlots

  constructor (slots: StagingSlots = processSlots) {
    this.#supported = directWanted()
    this.#slots = slots
  }

  /** False once the file system refused O_DIRECT (or when RESILIEN_DIRECT_IO=0 turned it off). */
  get supported (): boolean {
    return this.#supported
  }

  /** Creates `path` (it must not exist) with `mode` and returns a sink that writes it. */
  async create (path: string, mode: number): Promise<ShardFileSink> {
    const slots = this.#slots
    const slot = this.#supported ? slots.take() : undefined
    if (slot === undefined) return bufferedSink(await open(path, 'wx', mode))
    let handle: FileHandle
    try {
      handle = await open(path, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_DIRECT, mode)
    } catch (error) {
      slots.give(slot)
      if (!refusedDirect(error)) throw error
      this.#supported = false
      // Some file systems (ramfs) create the file before they refuse the flag. O_EXCL passed, so
      // the file is ours either way: open it again, or create it.
      return bufferedSink(await open(path, 'w', mode))
    }
    return new DirectSink(handle, path, slot, slots, () => { this.#supported = false })
  }
}

async function writeAll (handle: FileHandle, bytes: Uint8Array, position: number | null): Promise<void> {
  for (let offset = 0; offset < bytes.byteLength;) {
    const { bytesWritten } = await handle.write(bytes, offset, bytes.byteLength - offset, position === null ? null : position + offset)
    offset += bytesWritten
  }
}

function bufferedSink (handle: FileHandle): ShardFileSink {
  return {
    write: async (bytes) => { await writeAll(handle, bytes, null) },
    finish: async () => {
      await handle.sync()
      await handle.close()
    },
    abandon: async () => { await handle.close() }
  }
}

class DirectSink implements ShardFileSink {
  #handle: FileHandle
  readonly #path: string
  #slot: Uint8Array | undefined
  readonly #slots: StagingSlots
  readonly #refused: () => void
  /** Bytes staged in the slot, not yet written. */
  #staged = 0
  /** Bytes written to the file, always a multiple of the slot size. */
  #written = 0
  /** Once a direct write failed for alignment, the rest goes through the cache. */
  #buffered = false

  constructor (handle: FileHandle, path: string, slot: Uint8Array, slots: StagingSlots, refused: () => void) {
    this.#handle = handle
    this.#path = path
    this.#slot = slot
    this.#slots = slots
    this.#refused = refused
  }

  async write (bytes: Uint8Array): Promise<void> {
    if (this.#buffered) return await writeAll(this.#handle, bytes, null)
    const slot = this.#slot as Uint8Array
    for (let offset = 0; offset < bytes.byteLength;) {
      const n = Math.min(bytes.byteLength - offset, slot.byteLength - this.#staged)
      slot.set(bytes.subarray(offset, offset + n), this.#staged)
      this.#staged += n
      offset += n
      if (this.#staged === slot.byteLength) await this.#flush(slot.byteLength)
      if (this.#buffered) return await writeAll(this.#handle, bytes.subarray(offset), null)
    }
  }

  async finish (): Promise<void> {
    try {
      if (!this.#buffered && this.#staged > 0) {
        const size = this.#written + this.#staged
        const tail = this.#staged
        const padded = alignUp(tail)
        ;(this.#slot as Uint8Array).fill(0, tail, padded)
        await this.#flush(padded)
        if (!this.#buffered && padded !== tail) await this.#handle.truncate(size)
      }
      await this.#handle.sync()
      await this.#handle.close()
    } finally {
      this.#release()
    }
  }

  async abandon (): Promise<void> {
    try {
      await this.#handle.close()
    } finally {
      this.#release()
    }
  }

  /** Writes the slot's first `length` bytes at the end of what is written. */
  async #flush (length: number): Promise<void> {
    const slot = this.#slot as Uint8Array
    try {
      await writeAll(this.#handle, slot.subarray(0, length), this.#written)
    } catch (error) {
      // The file system took the flag but not these writes: go on through the cache, once.
      if (!refusedDirect(error) || this.#written > 0) throw error
      this.#refused()
      await this.#handle.close()
      this.#handle = await open(this.#path, 'r+')
      this.#buffered = true
      await writeAll(this.#handle, slot.subarray(0, this.#staged), null)
      this.#staged = 0
      this.#release()
      return
    }
    this.#written += length
    this.#staged = 0
  }

  #release (): void {
    if (this.#slot !== undefined) this.#slots.give(this.#slot)
    this.#slot = undefined
  }
}
