import { randomBytes } from 'node:crypto'
import { mkdir, open, readdir, rm } from 'node:fs/promises'
import { join } from 'node:path'
import type { ShardId } from '@resilien/types'
import { FAN_OUT_PREFIX_LENGTH } from './constants.js'

/** Where everything of one store lives; tmp/ sits on the same file system so rename is atomic. */
export interface StoreLayout {
  root: string
  shards: string
  tmp: string
  index: string
  quarantine: string
}

export function storeLayout (root: string): StoreLayout {
  return {
    root,
    shards: join(root, 'shards'),
    tmp: join(root, 'tmp'),
    index: join(root, 'index'),
    quarantine: join(root, 'quarantine')
  }
}

export function shardDirectory (layout: StoreLayout, id: ShardId): string {
  return join(layout.shards, id.slice(0, FAN_OUT_PREFIX_LENGTH))
}

export function shardPath (layout: StoreLayout, id: ShardId): string {
  return join(shardDirectory(layout, id), id)
}

function uniqueSuffix (): string {
  return randomBytes(6).toString('hex')
}

/** A fresh temp path: concurrent puts of the same id never share a file. */
export function tempPath (layout: StoreLayout, id: ShardId): string {
  return join(layout.tmp, `${id}.${uniqueSuffix()}`)
}

/** Quarantined copies keep their id and get a unique suffix: the same id may be quarantined twice. */
export function quarantinePath (layout: StoreLayout, id: ShardId): string {
  return join(layout.quarantine, `${id}.${Date.now()}.${uniqueSuffix()}`)
}

/** Makes the entries of a directory (created, renamed, removed files) durable. */
export async function fsyncDirectory (path: string): Promise<void> {
  const handle = await open(path, 'r')
  try {
    await handle.sync()
  } finally {
    await handle.close()
  }
}

/**
 * Creates the directories, including every fan-out directory up front, so that a put never has
 * to create (and fsync the parent of) a directory. Costs one readdir on an existing store.
 */
export async function prepareLayout (layout: StoreLayout): Promise<void> {
  for (const dir of [layout.shards, layout.tmp, layout.index, layout.quarantine]) {
    await mkdir(dir, { recursive: true })
  }
  const present = new Set(await readdir(layout.shards))
  let created = false
  const fanOut = 16 ** FAN_OUT_PREFIX_LENGTH
  for (let i = 0; i < fanOut; i++) {
    const name = i.toString(16).padStart(FAN_OUT_PREFIX_LENGTH, '0')
    if (present.has(name)) continue
    await mkdir(join(layout.shards, name), { recursive: true })
    created = true
  }
  if (created) {
    await fsyncDirectory(layout.shards)
    await fsyncDirectory(layout.root)
  }
}

/** Removes what an interrupted put left in tmp/ (never referenced by the index). */
export async function wipeDirectory (dir: string): Promise<void> {
  for (const name of await readdir(dir)) {
    await rm(join(dir, name), { recursive: true, force: true })
  }
}
