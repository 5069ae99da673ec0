import { keyedHash } from '@resilien/hashing'
import { compressChunk } from '@resilien/compression'
import { toHex } from '@resilien/types'
import type { AbortOptions } from '@resilien/types'
import { BlobType } from './format.js'
import { encodeIndexObjectLists } from './index-object.js'
import type { EncodedPackEntries } from './index-object.js'
import { Packer } from './packer.js'
import type { FinishedPack } from './packer.js'
import type { Repository } from './repository.js'
import { writeStripe } from './stripe-writer.js'

/** An index object about to be stored: its plaintext, its blob id and the packs it lists. */
export interface IndexObjectDraft {
  plain: Uint8Array
  id: Uint8Array
  packs: string[]
}

export interface StoredIndexObject {
  /** The index object's id (hex), as its `index-added` fact names it. */
  index: string
  packedBytes: number
  storedBytes: number
}

/**
 * The plaintext and id of an index object listing `packs`: the id is known before anything is
 * stored. `salt` (INDEX_SALT_BYTES) makes the id differ from one with the same listings.
 */
export function draftIndexObject (repo: Repository, packs: readonly EncodedPackEntries[], salt?: Uint8Array): IndexObjectDraft {
  const plain = encodeIndexObjectLists(packs, salt)
  return { plain, id: keyedHash(repo.keys.chunkIdKey, plain), packs: packs.map((p) => p.pack) }
}

/**
 * Stores an index object in a pack of its own and records pack and index object in one catalog
 * append: no machine ever sees the index object without its pack, or the reverse. The caller
 * tells the local chunk index (it is published, or loaded).
 */
export async function storeIndexObject (repo: Repository, draft: IndexObjectDraft, options: AbortOptions & { allowDegraded?: boolean } = {}): Promise<StoredIndexObject> {
  const { keys, record, components } = repo
  const { plain, id } = draft
  // An index object can exceed a chunk's size; its pack is sized to fit it.
  const packer = new Packer(keys.dataKey, keys.metadataKey, plain.byteLength + 1024, plain.byteLength + 1024, record.k)
  const entry = packer.add(BlobType.index, id, compressChunk(plain), plain.byteLength)
  const finished = packer.finish() as FinishedPack
  const stripe = await writeStripe(finished.bytes, record, components, {
    padded: finished.padded,
    allowDegraded: options.allowDegraded ?? false,
    ...(options.signal === undefined ? {} : { signal: options.signal })
  })
  const index = toHex(id)
  await components.catalog.append([
    { type: 'pack-stored', stripe },
    { type: 'index-added', repo: record.repo, index, location: { pack: stripe.pack, offset: entry.offset, length: entry.length }, packs: draft.packs }
  ])
  return { index, packedBytes: finished.bytes.byteLength, storedBytes: stripe.shards.reduce((n, s) => n + s.size, 0) }
}
