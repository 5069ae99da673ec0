import { keyedHash } from '@resilien/hashing'
import { openChunk } from '@resilien/crypto'
import { ALGORITHM_IDS, FRAME_HEADER_LENGTH, decompressChunk } from '@resilien/compression'
import { IntegrityError, equalBytes, toHex } from '@resilien/types'
import { BlobType, MAX_INDEX_OBJECT_BYTES, blobAad } from './format.js'

/** What opening a blob needs: plain keys and a size limit, so a worker thread can do it too. */
export interface BlobKeys {
  dataKey: Uint8Array
  chunkIdKey: Uint8Array
  /** Largest plaintext a blob may decompress to (a bomb guard). */
  maxBlobSize: number
}

/**
 * Opens the seal of a blob (bound to its type and id), decompresses it and checks that it hashes
 * to its id: corrupt or swapped data is never returned. A stored (uncompressed) frame is returned
 * as a view of the freshly opened bytes, which belong to this call alone: decompressChunk would
 * copy every byte of incompressible data once more.
 */
export function openBlob (keys: BlobKeys, ref: { id: Uint8Array, type: BlobType }, sealed: Uint8Array): Uint8Array {
  const frame = openChunk(keys.dataKey, sealed, blobAad(ref.type, ref.id))
  const limit = ref.type === BlobType.index ? MAX_INDEX_OBJECT_BYTES : keys.maxBlobSize
  const raw = frame.byteLength > FRAME_HEADER_LENGTH && frame[0] === ALGORITHM_IDS.none && frame.byteLength - FRAME_HEADER_LENGTH <= limit
  const plain = raw ? frame.subarray(FRAME_HEADER_LENGTH) : decompressChunk(frame, limit)
  if (!equalBytes(keyedHash(keys.chunkIdKey, plain), ref.id)) {
    throw new IntegrityError(`chunk ${toHex(ref.id)}`, `chunk ${toHex(ref.id)} does not hash to its id`)
  }
  return plain
}
