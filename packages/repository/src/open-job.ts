import { keyedHash } from '@resilien/hashing'
import { openChunk } from '@resilien/crypto'
import { ALGORITHM_IDS, FRAME_HEADER_LENGTH, decompressChunk } from '@resilien/compression'
import { IntegrityError, equalBytes, toHex } from '@resilien/types'
import { BlobType, ID_LENGTH, MAX_INDEX_OBJECT_BYTES, blobAad } from './format.js'

/** What opening a blob needs besides its bytes. */
export interface OpenKeys {
  dataKey: Uint8Array
  chunkIdKey: Uint8Array
  /** Largest plaintext a blob may decompress to (a bomb guard). */
  maxBlobSize: number
}

/**
 * Opens a sealed blob (bound to its type and id), decompresses it, and checks that the plaintext
 * hashes to the id: corrupt or swapped data is never returned. A stored (uncompressed) frame comes
 * back as a view of the freshly opened bytes, which belong to this call alone.
 */
export function openBlob (keys: OpenKeys, id: Uint8Array, type: BlobType, sealed: Uint8Array): Uint8Array {
  const frame = openChunk(keys.dataKey, sealed, blobAad(type, id))
  const limit = type === BlobType.index ? MAX_INDEX_OBJECT_BYTES : keys.maxBlobSize
  const raw = frame.byteLength > FRAME_HEADER_LENGTH && frame[0] === ALGORITHM_IDS.none && frame.byteLength - FRAME_HEADER_LENGTH <= limit
  const plain = raw ? frame.subarray(FRAME_HEADER_LENGTH) : decompressChunk(frame, limit)
  if (!equalBytes(keyedHash(keys.chunkIdKey, plain), id)) {
    throw new IntegrityError(`chunk ${toHex(id)}`, `chunk ${toHex(id)} does not hash to its id`)
  }
  return plain
}

/** Sealed data blobs of one pack to open in a worker, laid out in transferable buffers. */
export interface OpenJob {
  dataKey: ArrayBuffer
  chunkIdKey: ArrayBuffer
  maxBlobSize: number
  /** The sealed blobs back to back. */
  sealed: ArrayBuffer
  sealedLengths: number[]
  /** Their ids, 32 bytes each, back to back. */
  ids: ArrayBuffer
  /** The plaintext length each must open to (from the index). */
  plainLengths: number[]
}

/** The opened blobs back to back, in the job's order. */
export interface OpenResult {
  plain: ArrayBuffer
  lengths: number[]
}

/** A copy in an ArrayBuffer of its own: transferring a Buffer's `.buffer` could detach Node's shared pool. */
function ownCopy (bytes: Uint8Array): ArrayBuffer {
  const copy = new Uint8Array(bytes.byteLength)
  copy.set(bytes)
  return copy.buffer
}

/** An open job for data blobs: copies of their keys, sealed bytes and ids. */
export function makeOpenJob (keys: OpenKeys, ids: readonly Uint8Array[], sealed: readonly Uint8Array[], plainLengths: readonly number[]): OpenJob {
  const sealedLengths = sealed.map((s) => s.byteLength)
  const all = new Uint8Array(sealedLengths.reduce((a, b) => a + b, 0))
  let at = 0
  for (const s of sealed) {
    all.set(s, at)
    at += s.byteLength
  }
  const idBuf = new Uint8Array(ids.length * ID_LENGTH)
  ids.forEach((id, i) => idBuf.set(id, i * ID_LENGTH))
  return {
    dataKey: ownCopy(keys.dataKey),
    chunkIdKey: ownCopy(keys.chunkIdKey),
    maxBlobSize: keys.maxBlobSize,
    sealed: all.buffer,
    sealedLengths,
    ids: idBuf.buffer,
    plainLengths: [...plainLengths]
  }
}

/** Opens every blob of a job into one buffer; a blob of another length than the index says is an integrity error. */
export function runOpenJob (job: OpenJob): OpenResult {
  const keys = { dataKey: new Uint8Array(job.dataKey), chunkIdKey: new Uint8Array(job.chunkIdKey), maxBlobSize: job.maxBlobSize }
  const out = new Uint8Array(job.plainLengths.reduce((a, b) => a + b, 0))
  const sealed = new Uint8Array(job.sealed)
  const ids = new Uint8Array(job.ids)
  let from = 0
  let to = 0
  job.sealedLengths.forEach((length, i) => {
    const id = ids.subarray(i * ID_LENGTH, (i + 1) * ID_LENGTH)
    const plain = openBlob(keys, id, BlobType.data, sealed.subarray(from, from + length))
    if (plain.byteLength !== job.plainLengths[i]) throw new IntegrityError(`chunk ${toHex(id)}`, `chunk ${toHex(id)} opens to ${plain.byteLength} bytes, its index entry says ${String(job.plainLengths[i])}`)
    out.set(plain, to)
    from += length
    to += plain.byteLength
  })
  return { plain: out.buffer, lengths: job.sealedLengths.map((_, i) => job.plainLengths[i] as number) }
}
