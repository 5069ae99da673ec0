import { rename, rm } from 'node:fs/promises'
import type { ShardId } from '@resilien/types'
import { fsyncDirectory, quarantinePath, shardDirectory, shardPath } from './layout.js'
import type { StoreLayout } from './layout.js'

function isMissing (error: unknown): boolean {
  return (error as { code?: unknown } | null)?.code === 'ENOENT'
}

/** Renames a durable temp file into place and makes the new name durable. */
export async function installShardFile (layout: StoreLayout, id: ShardId, temp: string): Promise<void> {
  await rename(temp, shardPath(layout, id))
  await fsyncDirectory(shardDirectory(layout, id))
}

/** Removes a shard's file durably; a file (or fan-out directory) already gone is fine: deletes are replayed. */
export async function removeShardFile (layout: StoreLayout, id: ShardId): Promise<void> {
  await rm(shardPath(layout, id), { force: true })
  try {
    await fsyncDirectory(shardDirectory(layout, id))
  } catch (error) {
    if (!isMissing(error)) throw error
  }
}

/** Moves a shard's file to quarantine/; false when there was no file to move. */
export async function moveToQuarantine (layout: StoreLayout, id: ShardId): Promise<boolean> {
  try {
    await rename(shardPath(layout, id), quarantinePath(layout, id))
  } catch (error) {
    if (isMissing(error)) return false
    throw error
  }
  await fsyncDirectory(layout.quarantine)
  await fsyncDirectory(shardDirectory(layout, id))
  return true
}
