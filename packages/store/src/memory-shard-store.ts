import { hash } from '@resilien/hashing'
import { CorruptShardError, fromHex } from '@resilien/types'
import type { AbortOptions, ByteRange, ShardDeleteOptions, ShardId, ShardInfo, ShardPutOptions, ShardStore, ShardStoreStats } from '@resilien/types'
import { sameDigest } from './block-digests.js'
import { OperationGate } from './operation-gate.js'
import { assertRangeInside, assertRangeShape, assertShardId, assertShardIds, checkStreamChunk, checkStreamEnd, putSize } from './validate.js'

interface StoredShard {
  bytes: Uint8Array
  storedAt: number
}

async function collect (stream: AsyncIterable<Uint8Array>, size: number, signal?: AbortSignal): Promise<Uint8Array> {
  const bytes = new Uint8Array(size)
  let received = 0
  for await (const chunk of stream) {
    signal?.throwIfAborted()
    checkStreamChunk(chunk, received, size)
    bytes.set(chunk, received)
    received += chunk.byteLength
  }
  checkStreamEnd(received, size)
  return bytes
}

/**
 * The ShardStore contract in memory, for tests and for code that needs a store without a disk:
 * same validation, same errors, copies in and out so callers cannot alter stored shards.
 */
class MemoryShardStore implements ShardStore {
  readonly #shards = new Map<ShardId, StoredShard>()
  readonly #gate = new OperationGate('memory shard store')

  async put (id: ShardId, data: Uint8Array | AsyncIterable<Uint8Array>, options?: ShardPutOptions): Promise<void> {
    assertShardId(id)
    const size = putSize(data, options)
    options?.signal?.throwIfAborted()
    await this.#gate.run(async () => {
      const present = this.#shards.get(id)
      if (present !== undefined) {
        present.storedAt = Date.now()
        return
      }
      // A copy the caller cannot change afterwards (Buffer#slice would share the memory).
      const bytes = data instanceof Uint8Array ? Uint8Array.prototype.slice.call(data) : await collect(data, size, options?.signal)
      if (!sameDigest(hash(bytes), fromHex(id))) throw new CorruptShardError(id, `the bytes given for shard ${id} do not hash to it`)
      options?.signal?.throwIfAborted()
      if (!this.#shards.has(id)) this.#shards.set(id, { bytes, storedAt: Date.now() })
    })
  }

  async get (id: ShardId, range?: ByteRange, options?: AbortOptions): Promise<Uint8Array | undefined> {
    assertShardId(id)
    if (range !== undefined) assertRangeShape(range)
    options?.signal?.throwIfAborted()
    return await this.#gate.run(async () => {
      const shard = this.#shards.get(id)
      if (shard === undefined) return undefined
      if (range === undefined) return Uint8Array.prototype.slice.call(shard.bytes)
      assertRangeInside(range, shard.bytes.byteLength, id)
      return Uint8Array.prototype.slice.call(shard.bytes, range.offset, range.offset + range.length)
    })
  }

  async has (ids: readonly ShardId[], options?: AbortOptions): Promise<boolean[]> {
    assertShardIds(ids)
    options?.signal?.throwIfAborted()
    return await this.#gate.run(async () => ids.map((id) => this.#shards.has(id)))
  }

  async renew (id: ShardId, options?: AbortOptions): Promise<boolean> {
    assertShardId(id)
    options?.signal?.throwIfAborted()
    return await this.#gate.run(async () => {
      const shard = this.#shards.get(id)
      if (shard !== undefined) shard.storedAt = Date.now()
      return shard !== undefined
    })
  }

  async delete (id: ShardId, options?: ShardDeleteOptions): Promise<boolean> {
    assertShardId(id)
    options?.signal?.throwIfAborted()
    return await this.#gate.run(async () => {
      const shard = this.#shards.get(id)
      if (shard === undefined) return false
      if (options?.storedBefore !== undefined && shard.storedAt >= options.storedBefore) return false
      return this.#shards.delete(id)
    })
  }

  async * list (options?: AbortOptions): AsyncGenerator<ShardInfo> {
    this.#gate.assertOpen()
    // A snapshot of the ids: the listing is not disturbed by puts and deletes during it.
    for (const id of [...this.#shards.keys()].sort()) {
      options?.signal?.throwIfAborted()
      this.#gate.assertOpen()
      const shard = this.#shards.get(id)
      if (shard !== undefined) yield { id, size: shard.bytes.byteLength, storedAt: shard.storedAt }
    }
  }

  async stats (options?: AbortOptions): Promise<ShardStoreStats> {
    options?.signal?.throwIfAborted()
    return await this.#gate.run(async () => {
      let bytes = 0
      for (const shard of this.#shards.values()) bytes += shard.bytes.byteLength
      return { shards: this.#shards.size, bytes }
    })
  }

  async close (): Promise<void> {
    await this.#gate.close()
    this.#shards.clear()
  }
}

export function createMemoryShardStore (): ShardStore {
  return new MemoryShardStore()
}
