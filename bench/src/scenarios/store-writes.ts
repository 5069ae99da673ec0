import { open, rename } from 'node:fs/promises'
import { mkdirSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import { hash } from '@resilien/hashing'
import { createDiskShardStore } from '@resilien/store'
import { toHex } from '@resilien/types'
import { forEachConcurrently } from '../concurrently.js'
import { ShardMaker } from '../data-shards.js'
import { measure } from '../measure.js'
import type { StageResult } from '../measure.js'

export interface StoreWriteOptions {
  /** A folder on the disk to measure (emptied and removed at the end). */
  dir: string
  /** Shard bytes per round. */
  size: number
  shardBytes: number
  /** Writes in flight at once, as a node receiving puts from several sites. */
  concurrency: number
  rounds: number
}

/** The disk's own pace: each shard written to a temp file, fsync'd, renamed (what any durable store must do). */
export async function measurePlainWrites (o: StoreWriteOptions): Promise<StageResult> {
  const maker = new ShardMaker(o.shardBytes)
  const count = Math.max(1, Math.round(o.size / o.shardBytes))
  const dir = join(o.dir, 'plain')
  mkdirSync(dir, { recursive: true })
  let run = 0
  try {
    return await measure('disk write + fsync', `plain files, ${o.shardBytes / 2 ** 20} MiB, ${o.concurrency} at once`, count * o.shardBytes, async () => {
      const r = ++run
      await forEachConcurrently(count, o.concurrency, async (i) => {
        const path = join(dir, `${r}-${i}`)
        const file = await open(path + '.tmp', 'w')
        try {
          await file.write(maker.bytes(r, i))
          await file.sync()
        } finally {
          await file.close()
        }
        await rename(path + '.tmp', path)
      })
    }, { rounds: o.rounds })
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

/**
 * The shard store's put as a receiving node runs it (bytes from the network: the store hashes
 * them with the active BLAKE3 backend), then durable: temp file, fsync, rename, index entry.
 */
export async function measureStorePuts (o: StoreWriteOptions, hashBackend: string): Promise<StageResult> {
  const maker = new ShardMaker(o.shardBytes)
  const count = Math.max(1, Math.round(o.size / o.shardBytes))
  const store = await createDiskShardStore({ path: join(o.dir, 'store'), reserveBytes: 0 })
  let run = 0
  try {
    // Ids of every round (the warm-up's too) are computed before the clock starts: the sender's work, not the store's.
    const ids = Array.from({ length: o.rounds + 1 }, (_, r) => Array.from({ length: count }, (_, i) => toHex(hash(maker.bytes(r + 1, i)))))
    return await measure('store put + fsync', `${hashBackend} BLAKE3 check, ${o.shardBytes / 2 ** 20} MiB shards, ${o.concurrency} at once`, count * o.shardBytes, async () => {
      const r = ++run
      const mine = ids[r - 1] as string[]
      await forEachConcurrently(count, o.concurrency, async (i) => store.put(mine[i] as string, maker.bytes(r, i)))
    }, { rounds: o.rounds })
  } finally {
    await store.close()
    rmSync(join(o.dir, 'store'), { recursive: true, force: true })
  }
}
