import type { DirListing, PathListing } from './dir-listing.js'

/**
 * Folder listings fetched ahead of a backup's walk, each handed out once. Asked for a folder it
 * does not hold, it fetches that folder together with folders below it (listTreeSync), keeps
 * those, and answers from them when the walk gets there. Every folder is fetched in exactly one
 * answer: a folder is only asked for once its parent's listing named it, and then either an
 * earlier answer brought it (it is here) or none did. What it holds is bounded by the walk's
 * width (the sub-folders it walks at once, each of which may bring an answer) times an answer's
 * size (64 folders, about 4,096 entries), as the walk takes every folder it was given.
 */
export class ListingPrefetch {
  private readonly ready = new Map<string, DirListing>()

  constructor (private readonly fetch: (path: Uint8Array) => Promise<PathListing[]>) {}

  /** Listings held, not yet asked for. */
  get held (): number {
    return this.ready.size
  }

  async list (path: Uint8Array): Promise<DirListing> {
    const key = keyOf(path)
    const hit = this.ready.get(key)
    if (hit !== undefined) {
      this.ready.delete(key)
      return hit
    }
    let own: DirListing | undefined
    for (const { path: p, listing } of await this.fetch(path)) {
      const k = keyOf(p)
      if (k === key) own = listing
      else this.ready.set(k, listing)
    }
    return own ?? { entries: [], error: 'the folder was not listed' }
  }
}

/** A path's bytes as a string, one character per byte. */
function keyOf (path: Uint8Array): string {
  return Buffer.from(path.buffer, path.byteOffset, path.byteLength).toString('latin1')
}
