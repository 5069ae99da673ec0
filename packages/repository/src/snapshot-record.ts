import { randomBytes } from 'node:crypto'
import { openChunk, sealChunk } from '@resilien/crypto'
import { InvalidInputError, toHex } from '@resilien/types'
import { snapshotAad } from './format.js'

/** Totals of a backup, kept in the snapshot (restic's summary). */
export interface SnapshotStats {
  files: number
  dirs: number
  totalBytes: number
  newBytes: number
  storedBytes: number
}

/** Everything about a snapshot except its id; sealed with the metadata key before it leaves the key holder. */
export interface SnapshotRecord {
  v: 1
  time: string
  host: string
  user: string
  paths: string[]
  tags: string[]
  /** Chunk ids of the serialized root tree. */
  tree: string[]
  parent?: string
  stats: SnapshotStats
  /** True when, at commit, some stripe of it would not survive the loss of a site. */
  degraded: boolean
  /** The snapshot this one replaced when its tags changed (restic's `original`): the first id it had. */
  original?: string
}

/** 16 random bytes: the only clear name a snapshot has. */
export function newSnapshotId (): string {
  return toHex(randomBytes(16))
}

export function sealSnapshot (metadataKey: Uint8Array, repo: string, id: string, record: SnapshotRecord): string {
  const sealed = sealChunk(metadataKey, Buffer.from(JSON.stringify(record), 'utf8'), snapshotAad(repo, id))
  return Buffer.from(sealed).toString('base64')
}

/** Opens a sealed snapshot record; a changed or swapped record is an IntegrityError. */
export function openSnapshot (metadataKey: Uint8Array, repo: string, id: string, sealed: string): SnapshotRecord {
  const plain = openChunk(metadataKey, Buffer.from(sealed, 'base64'), snapshotAad(repo, id))
  const record = JSON.parse(Buffer.from(plain).toString('utf8')) as SnapshotRecord
  if (record.v !== 1 || !Array.isArray(record.tree) || typeof record.time !== 'string') {
    throw new InvalidInputError(`snapshot ${id} has an unknown form`)
  }
  return record
}
