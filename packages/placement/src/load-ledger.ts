import type { SiteId } from '@resilien/types'
import type { SiteView } from './types.js'

interface Entry {
  /** storedBytes at the last observation; undefined until the site is first seen. */
  seen: number | undefined
  /** Bytes recorded by recordPlaced that the catalog has not shown yet. */
  pending: number
}

/**
 * Bytes placed but not yet in the catalog's storedBytes, so that successive packs spread before
 * the catalog catches up. When a site's storedBytes grows between two observations, the catalog
 * has caught up by that much and the pending bytes shrink by it. Growth written by other sites
 * is counted the same way, so the estimate errs low by at most what others wrote meanwhile.
 */
export class LoadLedger {
  readonly #entries = new Map<SiteId, Entry>()

  observe (views: readonly SiteView[]): void {
    for (const view of views) {
      const entry = this.#entries.get(view.site)
      if (entry === undefined) {
        this.#entries.set(view.site, { seen: view.storedBytes, pending: 0 })
        continue
      }
      if (entry.seen !== undefined && view.storedBytes > entry.seen) {
        entry.pending = Math.max(0, entry.pending - (view.storedBytes - entry.seen))
      }
      entry.seen = view.storedBytes
    }
  }

  record (site: SiteId, bytes: number): void {
    const entry = this.#entries.get(site)
    if (entry === undefined) this.#entries.set(site, { seen: undefined, pending: bytes })
    else entry.pending += bytes
  }

  pending (site: SiteId): number {
    return this.#entries.get(site)?.pending ?? 0
  }
}
