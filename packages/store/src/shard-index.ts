import { ClassicLevel } from 'classic-level'
import type { BatchOperation } from 'classic-level'
import { ResilienError } from '@resilien/types'
import type { ShardId, ShardInfo } from '@resilien/types'
import { GroupCommit } from './group-commit.js'
import {
  decodeBlockRecord, decodeCounters, decodeIntent, decodeShardRecord,
  encodeBlockRecord, encodeCounters, encodeIntent, encodeShardRecord
} from './index-records.js'
import type { BlockRecord, Counters, IntentKind, ShardRecord } from './index-records.js'

/**
 * LevelDB's block cache and write buffer, kept small: the node runs on 2 GB boards within a
 * 150 MiB budget, and these lookups are mostly of recent keys (defaults: 8 MiB and 4 MiB).
 */
const LEVELDB_MEMORY = { cacheSize: 2 * 1024 * 1024, writeBufferSize: 1024 * 1024 }

/** Version of the on-disk layout (directories and index records); a store of another version is refused. */
const LAYOUT_VERSION = 1
const LAYOUT_KEY = 'layout'
const COUNTERS_KEY = 'counters'

type Database = ClassicLevel<string, Uint8Array>
type Operation = BatchOperation<Database, string, Uint8Array>

interface Mutation {
  operations: Operation[]
  sync: boolean
  shards: number
  bytes: number
}

/** The index entry of a newly stored shard. */
export interface NewShard extends ShardRecord, BlockRecord {}

function isLockedError (error: unknown): boolean {
  const { code, cause } = (error ?? {}) as { code?: unknown, cause?: { code?: unknown } }
  return code === 'LEVEL_LOCKED' || cause?.code === 'LEVEL_LOCKED'
}

/**
 * The LevelDB index of one store. Four sublevels: `shards` (id -> size, storedAt) for list and
 * has; `blocks` (id -> block digests) for reads; `intents` (id -> what an operation under way
 * will do to the file) for crash recovery; `meta` (layout version, counters). Every mutation goes
 * through one GroupCommit so the counters are written in the same batch as the entries they
 * count, in order.
 */
export class ShardIndex {
  readonly #db: Database
  readonly #shards
  readonly #blocks
  readonly #intents
  readonly #meta
  readonly #commits: GroupCommit<Mutation>
  #counters: Counters

  private constructor (db: Database, counters: Counters) {
    this.#db = db
    const options = { keyEncoding: 'utf8', valueEncoding: 'view' }
    this.#shards = db.sublevel<string, Uint8Array>('shards', options)
    this.#blocks = db.sublevel<string, Uint8Array>('blocks', options)
    this.#intents = db.sublevel<string, Uint8Array>('intents', options)
    this.#meta = db.sublevel<string, Uint8Array>('meta', options)
    this.#counters = counters
    this.#commits = new GroupCommit(async (mutations) => { await this.#apply(mutations) })
  }

  static async open (location: string): Promise<ShardIndex> {
    const db: Database = new ClassicLevel<string, Uint8Array>(location, { keyEncoding: 'utf8', valueEncoding: 'view', ...LEVELDB_MEMORY })
    try {
      await db.open()
    } catch (error) {
      if (isLockedError(error)) {
        throw new ResilienError(`the shard index ${location} is open in another process or store instance`, { cause: error, permanent: false })
      }
      throw error
    }
    try {
      const meta = db.sublevel<string, Uint8Array>('meta', { keyEncoding: 'utf8', valueEncoding: 'view', ...LEVELDB_MEMORY })
      const layout = await meta.get(LAYOUT_KEY)
      const counters = await meta.get(COUNTERS_KEY)
      if (layout === undefined) {
        if (counters !== undefined) throw new ResilienError(`the shard index ${location} has no layout version`)
        await meta.put(LAYOUT_KEY, Uint8Array.of(LAYOUT_VERSION))
      } else if (layout.byteLength !== 1 || layout[0] !== LAYOUT_VERSION) {
        throw new ResilienError(`the shard index ${location} has layout version ${layout[0] ?? '?'}; this code reads version ${LAYOUT_VERSION}`)
      }
      return new ShardIndex(db, counters === undefined ? { shards: 0, bytes: 0 } : decodeCounters(counters))
    } catch (error) {
      await db.close()
      throw error
    }
  }

  counters (): Counters {
    return { ...this.#counters }
  }

  async getShard (id: ShardId): Promise<ShardRecord | undefined> {
    const bytes = await this.#shards.get(id)
    return bytes === undefined ? undefined : decodeShardRecord(id, bytes)
  }

  async getBlocks (id: ShardId): Promise<BlockRecord | undefined> {
    const bytes = await this.#blocks.get(id)
    return bytes === undefined ? undefined : decodeBlockRecord(id, bytes)
  }

  async hasMany (ids: ShardId[]): Promise<boolean[]> {
    return await this.#shards.hasMany(ids)
  }

  /** Every shard in id order, streamed from LevelDB (its iterator holds a bounded cache). */
  async * list (signal?: AbortSignal): AsyncGenerator<ShardInfo> {
    for await (const [id, bytes] of this.#shards.iterator()) {
      signal?.throwIfAborted()
      const { size, storedAt } = decodeShardRecord(id, bytes)
      yield { id, size, storedAt }
    }
  }

  /** Intents left by interrupted operations: as many as operations were under way at a crash. */
  async intents (): Promise<Array<{ id: ShardId, kind: IntentKind | undefined }>> {
    const found: Array<{ id: ShardId, kind: IntentKind | undefined }> = []
    for await (const [id, bytes] of this.#intents.iterator()) found.push({ id, kind: decodeIntent(bytes) })
    return found
  }

  /** Durably records what is about to happen to a shard's file, before it happens. */
  async recordIntent (id: ShardId, kind: IntentKind): Promise<void> {
    await this.#commits.submit({
      operations: [{ type: 'put', sublevel: this.#intents, key: id, value: encodeIntent(kind) }],
      sync: true,
      shards: 0,
      bytes: 0
    })
  }

  /** Once the file is in place: adds the entries and counts the shard, ending its put intent. */
  async commitShard (id: ShardId, shard: NewShard): Promise<void> {
    await this.#commits.submit({
      operations: [
        { type: 'put', sublevel: this.#shards, key: id, value: encodeShardRecord(shard) },
        { type: 'put', sublevel: this.#blocks, key: id, value: encodeBlockRecord(shard) },
        { type: 'del', sublevel: this.#intents, key: id }
      ],
      sync: true,
      shards: 1,
      bytes: shard.size
    })
  }

  /**
   * A shard given again: its storedAt becomes now. Synchronous, because a GC pass trusts it to
   * keep a shard a peer was just told is here.
   */
  async renewShard (id: ShardId, shard: ShardRecord): Promise<void> {
    await this.#commits.submit({
      operations: [{ type: 'put', sublevel: this.#shards, key: id, value: encodeShardRecord({ size: shard.size, storedAt: Date.now() }) }],
      sync: true,
      shards: 0,
      bytes: 0
    })
  }

  /** Before the file goes: removes the entries and records the intent to delete or quarantine it. */
  async removeShard (id: ShardId, size: number, kind: IntentKind): Promise<void> {
    await this.#commits.submit({
      operations: [
        { type: 'del', sublevel: this.#shards, key: id },
        { type: 'del', sublevel: this.#blocks, key: id },
        { type: 'put', sublevel: this.#intents, key: id, value: encodeIntent(kind) }
      ],
      sync: true,
      shards: -1,
      bytes: -size
    })
  }

  /**
   * Ends an intent once its file operation is done. Not synchronous: if the deletion is lost in
   * a crash, open resolves the intent again, which is idempotent.
   */
  async clearIntent (id: ShardId): Promise<void> {
    await this.#commits.submit({
      operations: [{ type: 'del', sublevel: this.#intents, key: id }],
      sync: false,
      shards: 0,
      bytes: 0
    })
  }

  async #apply (mutations: Mutation[]): Promise<void> {
    const next = { ...this.#counters }
    const operations: Operation[] = []
    let sync = false
    for (const mutation of mutations) {
      operations.push(...mutation.operations)
      sync ||= mutation.sync
      next.shards += mutation.shards
      next.bytes += mutation.bytes
    }
    if (next.shards !== this.#counters.shards || next.bytes !== this.#counters.bytes) {
      operations.push({ type: 'put', sublevel: this.#meta, key: COUNTERS_KEY, value: encodeCounters(next) })
    }
    await this.#db.batch(operations, { sync })
    this.#counters = next
  }

  async close (): Promise<void> {
    await this.#db.close()
  }
}
