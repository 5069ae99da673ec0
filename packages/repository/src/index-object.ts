import { InvalidInputError, fromHex, toHex } from '@resilien/types'
import { ID_LENGTH } from './format.js'
import { ENTRY_BYTES, decodeEntries, encodeEntries, entryCount } from './pack-format.js'
import type { PackEntry } from './pack-format.js'

/** The packs and blobs one index object lists. */
export interface IndexObjectContent {
  packs: Array<{ pack: string, entries: PackEntry[] }>
}

/** A pack's entry list as encodeEntries writes it (the pack trailer's format). */
export interface EncodedPackEntries {
  pack: string
  list: Uint8Array
}

/**
 * An index object is stored as a blob like any other (compressed, sealed, erasure-coded); the
 * catalog's `index-added` fact points at it. Plaintext: u32 pack count, then per pack its
 * 32-byte id, a u32 length and the pack's entry list as in the pack trailer.
 */
export function encodeIndexObject (content: IndexObjectContent): Uint8Array {
  return encodeIndexObjectLists(content.packs.map(({ pack, entries }) => ({ pack, list: encodeEntries(entries) })))
}

/**
 * Bytes an index object may end with after its listings: random, so that its id differs from an
 * earlier index object with the same listings (prune-index.ts: a catalog keeps the first
 * `index-added` row of an id, which may name a pack since deleted).
 */
export const INDEX_SALT_BYTES = 16

/** encodeIndexObject from lists already encoded: a backup publishes what the chunk index kept, as it is. */
export function encodeIndexObjectLists (packs: readonly EncodedPackEntries[], salt?: Uint8Array): Uint8Array {
  if (salt !== undefined && salt.byteLength !== INDEX_SALT_BYTES) throw new InvalidInputError(`an index object's salt is ${INDEX_SALT_BYTES} bytes`)
  const parts: Uint8Array[] = []
  const head = Buffer.allocUnsafe(4)
  head.writeUInt32LE(packs.length, 0)
  parts.push(head)
  for (const { pack, list } of packs) {
    const prefix = Buffer.allocUnsafe(ID_LENGTH + 4)
    prefix.set(fromHex(pack), 0)
    prefix.writeUInt32LE(list.byteLength, ID_LENGTH)
    parts.push(prefix, list)
  }
  if (salt !== undefined) parts.push(salt)
  return Buffer.concat(parts)
}

export function decodeIndexObject (bytes: Uint8Array): IndexObjectContent {
  return { packs: decodeIndexObjectLists(bytes).map(({ pack, list }) => ({ pack, entries: decodeEntries(list) })) }
}

/**
 * The packs of an index object with their entry lists left encoded (views of `bytes`, each of
 * the right length for its count): prune's index rewrite copies the live ones into new index
 * objects as they are.
 */
export function decodeIndexObjectLists (bytes: Uint8Array): EncodedPackEntries[] {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  if (buf.byteLength < 4) throw new InvalidInputError('index object too short')
  const count = buf.readUInt32LE(0)
  const packs: EncodedPackEntries[] = []
  let pos = 4
  for (let i = 0; i < count; i++) {
    if (pos + ID_LENGTH + 4 > buf.byteLength) throw new InvalidInputError('index object truncated')
    const pack = toHex(buf.subarray(pos, pos + ID_LENGTH))
    const length = buf.readUInt32LE(pos + ID_LENGTH)
    pos += ID_LENGTH + 4
    if (pos + length > buf.byteLength) throw new InvalidInputError('index object truncated')
    const list = bytes.subarray(pos, pos + length)
    if (length !== 4 + entryCount(list) * ENTRY_BYTES) throw new InvalidInputError('pack entry list has the wrong length')
    packs.push({ pack, list })
    pos += length
  }
  if (pos !== buf.byteLength && buf.byteLength - pos !== INDEX_SALT_BYTES) throw new InvalidInputError('index object has trailing bytes')
  return packs
}
