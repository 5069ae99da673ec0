/**
 * Blob ids indexed while an index lookup was open. LevelDB answers a lookup from what it read
 * when the lookup ran on libuv's pool, so a pack indexed during that round trip is missing from
 * the answer, while its blobs have already left the saver's set of unindexed ids. Without this
 * record, a chunk that two files in flight share could be claimed twice and stored in two packs.
 *
 * An id is kept only while a lookup that opened before it was indexed is still open, so the
 * record holds the packs indexed during the lookups in flight: a few packs' ids, not a backup's.
 */
export class RecentlyIndexed {
  /** Packs indexed so far: an id is tagged with the count at the time its pack was indexed. */
  private packs = 0
  /** Open lookups by the pack count when they opened. */
  private readonly open = new Map<number, number>()
  /** Id (hex) -> the pack count when it was indexed; in insertion order, so oldest first. */
  private readonly ids = new Map<string, number>()

  /** Opens a lookup: until `close`, every id indexed from now on counts as indexed for it. */
  opened (): number {
    const since = this.packs
    this.open.set(since, (this.open.get(since) ?? 0) + 1)
    return since
  }

  /** The lookup opened at `since` has used its answer. */
  close (since: number): void {
    const left = (this.open.get(since) ?? 1) - 1
    if (left > 0) this.open.set(since, left)
    else this.open.delete(since)
    const oldest = this.open.size === 0 ? Infinity : Math.min(...this.open.keys())
    for (const [id, at] of this.ids) {
      if (at >= oldest) break
      this.ids.delete(id)
    }
  }

  /** A pack's blobs are in the index now. */
  add (ids: Iterable<string>): void {
    const at = this.packs++
    if (this.open.size === 0) return
    for (const id of ids) {
      this.ids.delete(id) // keeps the map in order of `at`
      this.ids.set(id, at)
    }
  }

  has (id: string): boolean {
    return this.ids.has(id)
  }

  /** Ids held (for tests: the record must empty once no lookup is open). */
  get size (): number {
    return this.ids.size
  }
}
