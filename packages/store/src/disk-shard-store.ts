import { rename, rm } from 'node:fs/promises'
import { resolve } from 'node:path'
import { hash } from '@resilien/hashing'
import { CorruptShardError, DiskFullError, InvalidInputError, KeyedLock, fromHex } from '@resilien/types'
import type { AbortOptions, ByteRange, ShardDeleteOptions, ShardId, ShardInfo, ShardPutOptions, ShardStore, ShardStoreStats } from '@resilien/types'
import { blockDigests, blocksMatch, sameDigest } from './block-digests.js'
import { DEFAULT_BLOCK_SIZE, DEFAULT_RESERVE_BYTES, MAX_BLOCK_SIZE, MIN_BLOCK_SIZE } from './constants.js'
import { availableBytes, isOutOfSpace, outOfSpaceError } from './disk-space.js'
import { IntentKind } from './index-records.js'
import type { BlockRecord } from './index-records.js'
import { FanOutDirectories, fsyncDirectory, prepareLayout, shardDirectory, shardPath, storeLayout, tempPath } from './layout.js'
import type { StoreLayout } from './layout.js'
import { OperationGate } from './operation-gate.js'
import { recoverStore } from './recovery.js'
import { ShardIndex } from './shard-index.js'
import type { NewShard } from './shard-index.js'
import { readShardFile } from './shard-file-reader.js'
import { VERIFY_READ_BYTES, verifyShardFile } from './shard-file-verifier.js'
import { writeShardFile, writeShardStream } from './shard-file-writer.js'
import type { ShardFileTarget } from './shard-file-writer.js'
import { DirectWrites } from './direct-writes.js'
import { alignedBuffer } from './aligned-memory.js'
import { moveToQuarantine, removeShardFile } from './shard-files.js'
import { assertRangeInside, assertRangeShape, assertShardId, assertShardIds, putSize } from './validate.js'

export interface DiskShardStoreInit {
  /** Directory of the store (created if missing): shards/, tmp/, index/, quarantine/. */
  path: string
  /** Free bytes that puts leave on the file system; default DEFAULT_RESERVE_BYTES (256 MiB). */
  reserveBytes?: number
  /**
   * Block size of the digests kept for range reads of new shards; default DEFAULT_BLOCK_SIZE
   * (64 KiB). Each shard keeps the block size it was stored with, so it may change between opens.
   */
  blockSize?: number
}

/** A shard store on one site's disk, with the two operations scrub and repair need. */
export interface DiskShardStore extends ShardStore {
  /** The store's directory, absolute. */
  readonly path: string
  /**
   * Re-reads and re-hashes a whole shard and its block digests: true if intact, false if not
   * (wrong bytes, wrong length, missing file), undefined if the store does not hold it.
   */
  verify (id: ShardId, options?: AbortOptions): Promise<boolean | undefined>
  /**
   * Takes a shard out of service: its file moves to quarantine/ and its index entry goes, so a
   * repair can put a good copy. Resolves false if the store did not hold it.
   */
  quarantine (id: ShardId, options?: AbortOptions): Promise<boolean>
}

function assertInit (init: DiskShardStoreInit): { reserveBytes: number, blockSize: number } {
  if (typeof init?.path !== 'string' || init.path === '') throw new InvalidInputError('a disk shard store needs a path')
  const reserveBytes = init.reserveBytes ?? DEFAULT_RESERVE_BYTES
  if (!Number.isSafeInteger(reserveBytes) || reserveBytes < 0) {
    throw new InvalidInputError(`reserveBytes must be a non-negative integer, not ${String(reserveBytes)}`)
  }
  const blockSize = init.blockSize ?? DEFAULT_BLOCK_SIZE
  if (!Number.isSafeInteger(blockSize) || blockSize < MIN_BLOCK_SIZE || blockSize > MAX_BLOCK_SIZE) {
    throw new InvalidInputError(`blockSize must be an integer from ${MIN_BLOCK_SIZE} to ${MAX_BLOCK_SIZE}, not ${String(blockSize)}`)
  }
  return { reserveBytes, blockSize }
}

/** Opens (or creates) the store at `init.path`, finishing or undoing what a crash interrupted. */
export async function createDiskShardStore (init: DiskShardStoreInit): Promise<DiskShardStore> {
  const { reserveBytes, blockSize } = assertInit(init)
  const layout = storeLayout(resolve(init.path))
  await prepareLayout(layout)
  const index = await ShardIndex.open(layout.index)
  try {
    await recoverStore(layout, index, blockSize)
  } catch (error) {
    await index.close()
    throw error
  }
  return new DefaultDiskShardStore(layout, index, reserveBytes, blockSize)
}

/**
 * Put protocol (each step durable before the next): write tmp/<id>.<random> and fsync it;
 * record a `put` intent (sync); rename into shards/<xx>/<id> and fsync that directory; add the
 * entries, the counters and drop the intent in one synchronous batch. Delete and quarantine
 * record their intent in the batch that removes the entries, then remove or move the file.
 * Open empties tmp/ and resolves the intents left, so a crash at any step leaves the index and
 * the files in agreement.
 */
class DefaultDiskShardStore implements DiskShardStore {
  readonly path: string
  readonly #layout: StoreLayout
  readonly #index: ShardIndex
  readonly #reserveBytes: number
  readonly #blockSize: number
  readonly #locks = new KeyedLock()
  readonly #fanOut: FanOutDirectories
  readonly #files: ShardFileTarget
  readonly #gate: OperationGate
  /** Bytes promised to puts under way, so concurrent puts do not all count the same free space. */
  #promised = 0
  /** The verify read buffer, kept between verifies (undefined while one is lent out). */
  #verifyBuffer: Uint8Array | undefined
  #closing: Promise<void> | undefined

  constructor (layout: StoreLayout, index: ShardIndex, reserveBytes: number, blockSize: number) {
    this.path = layout.root
    this.#layout = layout
    this.#index = index
    this.#reserveBytes = reserveBytes
    this.#blockSize = blockSize
    this.#gate = new OperationGate(`shard store ${layout.root}`)
    this.#fanOut = new FanOutDirectories(layout)
    this.#files = { root: layout.root, writes: new DirectWrites() }
  }

  async put (id: ShardId, data: Uint8Array | AsyncIterable<Uint8Array>, options?: ShardPutOptions): Promise<void> {
    assertShardId(id)
    const size = putSize(data, options)
    options?.signal?.throwIfAborted()
    await this.#gate.run(async () => {
      await this.#locks.run(id, async () => { await this.#put(id, data, size, options?.signal, options?.trustedId === true) })
    })
  }

  async #put (id: ShardId, data: Uint8Array | AsyncIterable<Uint8Array>, size: number, signal: AbortSignal | undefined, trustedId: boolean): Promise<void> {
    const present = await this.#index.getShard(id)
    if (present !== undefined) {
      await this.#index.renewShard(id, present)
      return
    }
    const release = await this.#promiseSpace(size)
    try {
      const temp = tempPath(this.#layout, id)
      const blockSize = this.#blockSize
      let digests: Uint8Array
      if (data instanceof Uint8Array) {
        // A buffer is verified before anything is written (unless this process just hashed it).
        if (!trustedId && !sameDigest(hash(data), fromHex(id))) throw new CorruptShardError(id, `the bytes given for shard ${id} do not hash to it`)
        digests = blockDigests(data, blockSize)
        await writeShardFile(temp, this.#files, data)
      } else {
        const streamed = await writeShardStream(temp, this.#files, data, size, blockSize, signal)
        if (!sameDigest(streamed.digest, fromHex(id))) {
          await rm(temp, { force: true })
          throw new CorruptShardError(id, `the bytes streamed for shard ${id} do not hash to it`)
        }
        digests = streamed.blockDigests
      }
      await this.#install(id, temp, { size, blockSize, digests }, signal)
    } finally {
      release()
    }
  }

  async #install (id: ShardId, temp: string, shard: Omit<NewShard, 'storedAt'>, signal?: AbortSignal): Promise<void> {
    let renamed = false
    try {
      signal?.throwIfAborted()
      await this.#fanOut.ensure(id)
      await this.#index.recordIntent(id, IntentKind.put)
      await rename(temp, shardPath(this.#layout, id))
      renamed = true
      await fsyncDirectory(shardDirectory(this.#layout, id))
      await this.#index.commitShard(id, { ...shard, storedAt: Date.now() })
    } catch (error) {
      await this.#undoInstall(id, temp, renamed)
      throw isOutOfSpace(error) ? await outOfSpaceError(this.#layout.root, shard.size, error) : error
    }
  }

  /** Best effort: whatever a failure here leaves behind, the put intent resolves at the next open. */
  async #undoInstall (id: ShardId, temp: string, renamed: boolean): Promise<void> {
    try {
      await rm(temp, { force: true })
      if (renamed) await removeShardFile(this.#layout, id)
      await this.#index.clearIntent(id)
    } catch {}
  }

  async #promiseSpace (size: number): Promise<() => void> {
    const root = this.#layout.root
    const available = await availableBytes(root)
    const usable = available - this.#reserveBytes - this.#promised
    if (usable < size) {
      throw new DiskFullError(root, size, Math.max(0, usable),
        `not enough free space in ${root} for a shard of ${size} bytes: ${available} bytes free, ` +
        `${this.#reserveBytes} kept in reserve, ${this.#promised} promised to puts under way`)
    }
    this.#promised += size
    let released = false
    return () => {
      if (!released) this.#promised -= size
      released = true
    }
  }

  async get (id: ShardId, range?: ByteRange, options?: AbortOptions): Promise<Uint8Array | undefined> {
    assertShardId(id)
    if (range !== undefined) assertRangeShape(range)
    options?.signal?.throwIfAborted()
    return await this.#gate.run(async () => {
      const bytes = await this.#readIndexed(id, range)
      if (bytes === null) return undefined
      if (bytes !== undefined) return bytes
      // The file is gone: a delete or quarantine may have removed it with its entry since the
      // entry was read, and a new put may have brought both back.
      const retried = await this.#readIndexed(id, range)
      if (retried === null) return undefined
      if (retried === undefined) throw new CorruptShardError(id, `shard ${id} is indexed but its file is missing`)
      return retried
    })
  }

  /**
   * Verified bytes of an indexed shard; null when the index does not list it, undefined when its
   * file does not exist. A whole read needs only the size (the bytes are checked against the id):
   * its small record is read, not the block digests (1 KiB for a 2 MiB shard), so reading many
   * shards touches a small part of the index.
   */
  async #readIndexed (id: ShardId, range: ByteRange | undefined): Promise<Uint8Array | null | undefined> {
    if (range === undefined) {
      const shard = await this.#index.getShard(id)
      return shard === undefined ? null : await this.#readWhole(id, shard.size)
    }
    const record = await this.#index.getBlocks(id)
    if (record === undefined) return null
    assertRangeInside(range, record.size, id)
    return await this.#readRange(id, record, range)
  }

  /** The whole shard, checked against its id; undefined when the file does not exist. */
  async #readWhole (id: ShardId, size: number): Promise<Uint8Array | undefined> {
    const bytes = await readShardFile(shardPath(this.#layout, id), id, size, 0, size)
    if (bytes !== undefined && !sameDigest(hash(bytes), fromHex(id))) throw new CorruptShardError(id)
    return bytes
  }

  /** Verified bytes of a range, read by whole blocks; undefined when the file does not exist. */
  async #readRange (id: ShardId, record: BlockRecord, range: ByteRange): Promise<Uint8Array | undefined> {
    const path = shardPath(this.#layout, id)
    if (range.length === 0) return new Uint8Array(0)
    const { blockSize } = record
    const first = Math.floor(range.offset / blockSize)
    const last = Math.floor((range.offset + range.length - 1) / blockSize)
    const start = first * blockSize
    const bytes = await readShardFile(path, id, record.size, start, Math.min((last + 1) * blockSize, record.size))
    if (bytes === undefined) return undefined
    if (!blocksMatch(bytes, first, record)) {
      throw new CorruptShardError(id, `shard ${id} is corrupt: a block in bytes ${start}-${start + bytes.byteLength} does not match its digest`)
    }
    return bytes.subarray(range.offset - start, range.offset - start + range.length)
  }

  async has (ids: readonly ShardId[], options?: AbortOptions): Promise<boolean[]> {
    assertShardIds(ids)
    options?.signal?.throwIfAborted()
    return await this.#gate.run(async () => ids.length === 0 ? [] : await this.#index.hasMany([...ids]))
  }

  async renew (id: ShardId, options?: AbortOptions): Promise<boolean> {
    assertShardId(id)
    options?.signal?.throwIfAborted()
    return await this.#gate.run(async () => {
      return await this.#locks.run(id, async () => {
        const record = await this.#index.getShard(id)
        if (record === undefined) return false
        await this.#index.renewShard(id, record)
        return true
      })
    })
  }

  async delete (id: ShardId, options?: ShardDeleteOptions): Promise<boolean> {
    assertShardId(id)
    options?.signal?.throwIfAborted()
    return await this.#gate.run(async () => {
      return await this.#locks.run(id, async () => {
        const record = await this.#index.getShard(id)
        if (record === undefined) return false
        if (options?.storedBefore !== undefined && record.storedAt >= options.storedBefore) return false
        await this.#index.removeShard(id, record.size, IntentKind.delete)
        await removeShardFile(this.#layout, id)
        await this.#index.clearIntent(id)
        return true
      })
    })
  }

  async quarantine (id: ShardId, options?: AbortOptions): Promise<boolean> {
    assertShardId(id)
    options?.signal?.throwIfAborted()
    return await this.#gate.run(async () => {
      return await this.#locks.run(id, async () => {
        const record = await this.#index.getShard(id)
        if (record === undefined) return false
        await this.#index.removeShard(id, record.size, IntentKind.quarantine)
        await moveToQuarantine(this.#layout, id)
        await this.#index.clearIntent(id)
        return true
      })
    })
  }

  async verify (id: ShardId, options?: AbortOptions): Promise<boolean | undefined> {
    assertShardId(id)
    options?.signal?.throwIfAborted()
    return await this.#gate.run(async () => {
      const record = await this.#index.getBlocks(id)
      if (record === undefined) return undefined
      // One read buffer for the store, lent to one verify at a time (the scrub runs them in turn),
      // page aligned so that the reads can go past the page cache (shard-file-verifier.ts).
      const buffer = this.#verifyBuffer ?? alignedBuffer(VERIFY_READ_BYTES)
      this.#verifyBuffer = undefined
      try {
        const ok = await verifyShardFile(shardPath(this.#layout, id), id, record, { buffer, direct: this.#files.writes.supported })
        if (ok === undefined) return await this.#index.getShard(id) === undefined ? undefined : false
        return ok
      } finally {
        this.#verifyBuffer = buffer
      }
    })
  }

  async * list (options?: AbortOptions): AsyncGenerator<ShardInfo> {
    this.#gate.assertOpen()
    options?.signal?.throwIfAborted()
    try {
      yield * this.#index.list(options?.signal)
    } catch (error) {
      // close() closes the index's iterators under a listing that is still running.
      this.#gate.assertOpen()
      throw error
    }
  }

  async stats (options?: AbortOptions): Promise<ShardStoreStats> {
    options?.signal?.throwIfAborted()
    return await this.#gate.run(async () => {
      const { shards, bytes } = this.#index.counters()
      return { shards, bytes, freeBytes: await availableBytes(this.#layout.root) }
    })
  }

  async close (): Promise<void> {
    this.#closing ??= this.#shutdown()
    await this.#closing
  }

  async #shutdown (): Promise<void> {
    await this.#gate.close()
    await this.#index.close()
  }
}
