import { compressChunk } from '@resilien/compression'
import { sealChunkInto, SEAL_OVERHEAD } from '@resilien/crypto'
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
  /** The sealed blobs back to back. */
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

/**
 * Compresses (when it pays) and seals every blob of a job. Runs in a worker thread of the seal
 * pool, or inline when there is none; the result is the same.
 */
export function runSealJob (job: SealJob): SealResult {
  const plain = new Uint8Array(job.plain)
  const ids = new Uint8Array(job.ids)
  let capacity = 0
  for (const n of job.lengths) capacity += frameBound(n) + SEAL_OVERHEAD
  const out = new Uint8Array(capacity)
  const lengths: number[] = []
  let inAt = 0
  let outAt = 0
  for (let i = 0; i < job.lengths.length; i++) {
    const n = job.lengths[i] as number
    const frame = compressChunk(plain.subarray(inAt, inAt + n))
    const written = sealChunkInto(job.key, frame, out, outAt, blobAad(job.type, ids.subarray(i * ID_LENGTH, (i + 1) * ID_LENGTH)))
    lengths.push(written)
    inAt += n
    outAt += written
  }
  return { sealed: out.buffer.slice(0, outAt), lengths }
}
