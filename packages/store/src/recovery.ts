import { readFile } from 'node:fs/promises'
import { hash } from '@resilien/hashing'
import { ResilienError, fromHex } from '@resilien/types'
import type { ShardId } from '@resilien/types'
import { blockDigests, sameDigest } from './block-digests.js'
import { IntentKind } from './index-records.js'
import { shardPath, wipeDirectory } from './layout.js'
import type { StoreLayout } from './layout.js'
import type { ShardIndex } from './shard-index.js'
import { moveToQuarantine, removeShardFile } from './shard-files.js'

async function readIfPresent (path: string): Promise<Uint8Array | undefined> {
  try {
    return await readFile(path)
  } catch (error) {
    if ((error as { code?: unknown }).code === 'ENOENT') return undefined
    throw error
  }
}

/**
 * A put was interrupted after its intent was recorded. If its file made it into place and
 * hashes to the id, the put is finished (the file is exactly what a put would have indexed);
 * a file that does not verify goes to quarantine; no file means the put never happened.
 */
async function finishPut (layout: StoreLayout, index: ShardIndex, id: ShardId, blockSize: number): Promise<void> {
  if (await index.getShard(id) !== undefined) return
  const bytes = await readIfPresent(shardPath(layout, id))
  if (bytes === undefined || bytes.byteLength === 0) return
  if (!sameDigest(hash(bytes), fromHex(id))) {
    await moveToQuarantine(layout, id)
    return
  }
  await index.commitShard(id, { size: bytes.byteLength, storedAt: Date.now(), blockSize, digests: blockDigests(bytes, blockSize) })
}

/**
 * Brings a store back to a consistent state after a crash, in time proportional to what was
 * under way, not to the number of shards: empties tmp/ and resolves every intent left in the
 * index. Runs after the index is open, so its lock guarantees no other process uses tmp/.
 */
export async function recoverStore (layout: StoreLayout, index: ShardIndex, blockSize: number): Promise<void> {
  await wipeDirectory(layout.tmp)
  for (const { id, kind } of await index.intents()) {
    if (kind === IntentKind.put) {
      await finishPut(layout, index, id, blockSize)
    } else if (kind === IntentKind.delete) {
      await removeShardFile(layout, id)
    } else if (kind === IntentKind.quarantine) {
      await moveToQuarantine(layout, id)
    } else {
      throw new ResilienError(`the shard index holds an intent for ${id} that this version does not know`)
    }
    await index.clearIntent(id)
  }
}
