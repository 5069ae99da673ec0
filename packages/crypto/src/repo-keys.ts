import { deriveKey } from '@resilien/hashing'
import { assertKey, KEY_LENGTH } from './master-key.js'

/**
 * BLAKE3 derive_key contexts of the repository sub-keys. They are part of the on-disk format:
 * changing one makes every existing repository unreadable, so a new purpose or a new derivation
 * gets a new string (new version suffix), never an edited one.
 */
export const REPO_KEY_CONTEXTS = Object.freeze({
  chunkIdKey: 'resilien 2026-11 chunk-id key v1',
  dataKey: 'resilien 2026-11 data key v1',
  metadataKey: 'resilien 2026-11 metadata key v1',
  gearSeed: 'resilien 2026-11 chunker gear seed v1'
})

/** The sub-keys of one repository, each KEY_LENGTH bytes, all derived from its master key. */
export interface RepoKeys {
  /** Keys the BLAKE3 hash that names a chunk, so a site cannot confirm it holds a known file. */
  readonly chunkIdKey: Uint8Array
  /** Seals chunk data (file contents and trees). */
  readonly dataKey: Uint8Array
  /** Seals metadata objects: index objects, snapshot records, catalog payloads. */
  readonly metadataKey: Uint8Array
  /** Seeds the chunker's secret gear table, so chunk boundaries do not leak content. */
  readonly gearSeed: Uint8Array
}

/** Derives the repository sub-keys; deterministic, so any key holder derives the same ones. */
export function deriveRepoKeys (master: Uint8Array): RepoKeys {
  assertKey(master, 'master key')
  return {
    chunkIdKey: deriveKey(REPO_KEY_CONTEXTS.chunkIdKey, master, KEY_LENGTH),
    dataKey: deriveKey(REPO_KEY_CONTEXTS.dataKey, master, KEY_LENGTH),
    metadataKey: deriveKey(REPO_KEY_CONTEXTS.metadataKey, master, KEY_LENGTH),
    gearSeed: deriveKey(REPO_KEY_CONTEXTS.gearSeed, master, KEY_LENGTH)
  }
}
