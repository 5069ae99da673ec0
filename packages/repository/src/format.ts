/**
 * The repository format's fixed words. Changing any of them makes existing repositories
 * unreadable: a new format gets a new version, never an edited constant.
 */

/** What a blob in a pack holds. Part of every blob's associated data. */
export const BlobType = Object.freeze({
  data: 1,
  tree: 2,
  index: 3
})
export type BlobType = typeof BlobType[keyof typeof BlobType]

export function isBlobType (n: number): n is BlobType {
  return n === BlobType.data || n === BlobType.tree || n === BlobType.index
}

/** Chunk ids and pack ids are 32-byte BLAKE3 digests. */
export const ID_LENGTH = 32

/** Default target size of a sealed pack. A few MiB keeps the catalog to ~2.5e5 stripes per TB and memory per pack in flight small. */
export const DEFAULT_PACK_SIZE = 4 * 1024 * 1024
/** Bounds on the pack size a repository may choose. */
export const MIN_PACK_SIZE = 256 * 1024
export const MAX_PACK_SIZE = 64 * 1024 * 1024

/** Bomb guard for index objects, which are larger than chunks: ~16k entries plus one pack's. */
export const MAX_INDEX_OBJECT_BYTES = 64 * 1024 * 1024

/** Default erasure policy for a repository: k data + m parity shards per pack. */
export const DEFAULT_K = 2
export const DEFAULT_M = 1

const encoder = new TextEncoder()

/** Associated data of a blob: binds the sealed bytes to their type and id, so a storage site cannot swap two blobs. */
export function blobAad (type: BlobType, id: Uint8Array): Uint8Array {
  const aad = new Uint8Array(1 + ID_LENGTH)
  aad[0] = type
  aad.set(id, 1)
  return aad
}

/** Associated data of a pack trailer. */
export const TRAILER_AAD = encoder.encode('resilien pack trailer v1')

/** Associated data of a snapshot record: bound to its repository and snapshot id. */
export function snapshotAad (repo: string, snapshot: string): Uint8Array {
  return encoder.encode(`resilien snapshot v1 ${repo} ${snapshot}`)
}
