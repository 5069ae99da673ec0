import { randomBytes } from 'node:crypto'
import { mkdir, open, readdir, rm } from 'node:fs/promises'
import { dirname, join } from 'node:path'
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

/** Creates the store's top directories; fan-out directories come with their first shard. */
export async function prepareLayout (layout: StoreLayout): Promise<void> {
  const created = await mkdir(layout.root, { recursive: true })
  for (const dir of [layout.shards, layout.tmp, layout.index, layout.quarantine]) {
    await mkdir(dir, { recursive: true })
  }
  await fsyncDirectory(layout.root)
  if (created !== undefined) await fsyncDirectory(dirname(layout.root))
}

/**
 * Makes sure a shard's fan-out directory exists and that its entry in shards/ is durable before
 * a shard is renamed into it. Remembers, per session, the directories already made sure of
 * (at most 16^FAN_OUT_PREFIX_LENGTH), so a put normally costs nothing here.
 */
export class FanOutDirectories {
  readonly #layout: StoreLayout
  readonly #ready = new Map<string, Promise<void>>()

  constructor (layout: StoreLayout) {
    this.#layout = layout
  }

  async ensure (id: ShardId): Promise<void> {
    const dir = shardDirectory(this.#layout, id)
    let ready = this.#ready.get(dir)
    if (ready === undefined) {
      ready = this.#create(dir)
      this.#ready.set(dir, ready)
    }
    try {
      await ready
    } catch (error) {
      this.#ready.delete(dir)
      throw error
    }
  }

  async #create (dir: string): Promise<void> {
    await mkdir(dir, { recursive: true })
    await fsyncDirectory(this.#layout.shards)
  }
}

/** Removes what an interrupted put left in tmp/ (never referenced by the index). */
export async function wipeDirectory (dir: string): Promise<void> {
  for (const name of await readdir(dir)) {
    await rm(join(dir, name), { recursive: true, force: true })
  }
}
