import { ALGORITHM_IDS, FRAME_HEADER_LENGTH, MIN_COMPRESS_LENGTH, compressChunk, looksIncompressible } from '@resilien/compression'
import { sealChunkInto, SEAL_OVERHEAD } from '@resilien/crypto'
import { noteDroppedBytes } from '@resilien/types'
import { blobAad, ID_LENGTH } from './format.js'
import type { BlobType } from './format.js'

/** A batch of plaintext blobs to compress and seal, laid out in one transferable buffer. */
export interface SealJob {
  type: BlobType
  key: Uint8Array
  /** The blobs back to back. */
  plain: ArrayBuffer
  lengths: number[]
  /** Their ids, 32 bytes each, back to back. */
  ids: ArrayBuffer
}

export interface SealResult {
  /** The sealed blobs back to back (from offset 0; bytes after the last one are unused). */
  sealed: ArrayBuffer
  lengths: number[]
}

/** A seal job for `plains` named `ids`: both laid out back to back in buffers of their own (transferable). */
export function makeSealJob (type: BlobType, key: Uint8Array, ids: readonly Uint8Array[], plains: readonly Uint8Array[]): SealJob {
  const lengths = plains.map((p) => p.byteLength)
  const plain = new Uint8Array(lengths.reduce((a, b) => a + b, 0))
  let at = 0
  for (const p of plains) {
    plain.set(p, at)
    at += p.byteLength
  }
  const idBuf = new Uint8Array(ids.length * ID_LENGTH)
  ids.forEach((id, i) => idBuf.set(id, i * ID_LENGTH))
  return { type, key, plain: plain.buffer, lengths, ids: idBuf.buffer }
}

/** Worst case growth of a zstd frame over its input (zstd's bound is ~1/256 + a few bytes), plus our header. */
function frameBound (length: number): number {
  return length + (length >> 7) + 64
}

/** Bytes that always hold the sealed blobs of plaintexts of these lengths. */
export function sealedBound (lengths: readonly number[]): number {
  let capacity = 0
  for (const n of lengths) capacity += frameBound(n) + SEAL_OVERHEAD
  return capacity
}

/** A reusable buffer for stored frames, grown to the largest chunk seen (one per thread). */
let rawFrameScratch = new Uint8Array(0)

/**
 * compressChunk's frame, but a chunk it would store raw without compressing it (too short, or
 * looksIncompressible: compressChunk checks that first too, so the frame is the same) is framed
 * in a reused buffer instead of a new copy. The frame is valid until the next call.
 */
function frameChunk (plain: Uint8Array): Uint8Array {
  if (plain.byteLength >= MIN_COMPRESS_LENGTH && !looksIncompressible(plain)) return compressChunk(plain, { knownCompressible: true })
  const length = FRAME_HEADER_LENGTH + plain.byteLength
  if (rawFrameScratch.byteLength < length) rawFrameScratch = new Uint8Array(length)
  rawFrameScratch[0] = ALGORITHM_IDS.none
  rawFrameScratch.set(plain, FRAME_HEADER_LENGTH)
  return rawFrameScratch.subarray(0, length)
}

/**
 * Compresses (when it pays) and seals `plains` (named by `ids`, 32 bytes each back to back) into
 * `out` back to back; returns the sealed lengths, or undefined when `out` is shorter than
 * sealedBound (nothing is written then).
 */
export function sealBlobsInto (type: BlobType, key: Uint8Array, ids: Uint8Array, plains: readonly Uint8Array[], out: Uint8Array): number[] | undefined {
  if (sealedBound(plains.map((p) => p.byteLength)) > out.byteLength) return undefined
  const lengths: number[] = []
  let outAt = 0
  for (let i = 0; i < plains.length; i++) {
    const frame = frameChunk(plains[i] as Uint8Array)
    const written = sealChunkInto(key, frame, out, outAt, blobAad(type, ids.subarray(i * ID_LENGTH, (i + 1) * ID_LENGTH)))
    lengths.push(written)
    outAt += written
    // The cipher's output copy died with the seal, and so did a compressed frame and the
    // compressor's output it was copied from: in a seal worker, which allocates few JS objects,
    // nothing else would collect them for a long while.
    noteDroppedBytes(frame.buffer === rawFrameScratch.buffer ? written : 3 * written)
  }
  return lengths
}

/**
 * Compresses (when it pays) and seals every blob of a job. Runs in a worker thread of the seal
 * pool, or inline when there is none; the result is the same.
 */
export function runSealJob (job: SealJob): SealResult {
  const plain = new Uint8Array(job.plain)
  const plains: Uint8Array[] = []
  let at = 0
  for (const n of job.lengths) {
    plains.push(plain.subarray(at, at + n))
    at += n
  }
  const out = new Uint8Array(sealedBound(job.lengths))
  // The whole buffer travels (transferred, not copied): trimming it would copy it.
  const lengths = sealBlobsInto(job.type, job.key, new Uint8Array(job.ids), plains, out) as number[]
  return { sealed: out.buffer, lengths }
}
