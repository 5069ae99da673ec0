import { InvalidInputError } from '@resilien/types'
import { ID_LENGTH, isBlobType } from './format.js'
import type { BlobType } from './format.js'

/**
 * A pack is `blob* trailer trailerLength`: sealed blobs back to back, then the sealed trailer
 * listing them (so `check` and an index rebuild can read a pack without the index), then the
 * trailer's sealed length as a little-endian u32. The pack id is BLAKE3 of all of it.
 */
export interface PackEntry {
  type: BlobType
  id: Uint8Array
  /** Offset of the sealed blob in the pack. */
  offset: number
  /** Length of the sealed blob. */
  length: number
  /** Length of the plaintext (before compression and sealing). */
  rawLength: number
}

/** type u8, id 32, offset u32, length u32, rawLength u32. */
export const ENTRY_BYTES = 1 + ID_LENGTH + 4 + 4 + 4
export const TRAILER_LENGTH_BYTES = 4

export function encodeEntries (entries: readonly PackEntry[]): Uint8Array {
  const out = Buffer.allocUnsafe(4 + entries.length * ENTRY_BYTES)
  out.writeUInt32LE(entries.length, 0)
  let pos = 4
  for (const e of entries) {
    out[pos] = e.type
    out.set(e.id, pos + 1)
    out.writeUInt32LE(e.offset, pos + 1 + ID_LENGTH)
    out.writeUInt32LE(e.length, pos + 5 + ID_LENGTH)
    out.writeUInt32LE(e.rawLength, pos + 9 + ID_LENGTH)
    pos += ENTRY_BYTES
  }
  return out
}

/** How many entries an encodeEntries list holds (its length is checked by decodeEntries, where it is read). */
export function entryCount (list: Uint8Array): number {
  if (list.byteLength < 4) throw new InvalidInputError('pack entry list too short')
  return Buffer.from(list.buffer, list.byteOffset, list.byteLength).readUInt32LE(0)
}

/** Parses what encodeEntries wrote; anything else is an InvalidInputError (the caller has authenticated it already). */
export function decodeEntries (bytes: Uint8Array): PackEntry[] {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  if (buf.byteLength < 4) throw new InvalidInputError('pack entry list too short')
  const count = buf.readUInt32LE(0)
  if (buf.byteLength !== 4 + count * ENTRY_BYTES) throw new InvalidInputError('pack entry list has the wrong length')
  const entries: PackEntry[] = []
  let pos = 4
  for (let i = 0; i < count; i++) {
    const type = buf[pos] as number
    if (!isBlobType(type)) throw new InvalidInputError(`unknown blob type ${type}`)
    entries.push({
      type,
      id: new Uint8Array(buf.subarray(pos + 1, pos + 1 + ID_LENGTH)),
      offset: buf.readUInt32LE(pos + 1 + ID_LENGTH),
      length: buf.readUInt32LE(pos + 5 + ID_LENGTH),
      rawLength: buf.readUInt32LE(pos + 9 + ID_LENGTH)
    })
    pos += ENTRY_BYTES
  }
  return entries
}
