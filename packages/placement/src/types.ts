import type { SiteId } from '@resilien/types'

/** What placement knows of one site at the time of a call. */
export interface SiteView {
  site: SiteId
  /** Failure domain above sites; by default the site's own name, so usually one site per zone. */
  zone: string
  up: boolean
  /** Bytes the site still accepts; undefined = unknown (treat as plenty). */
  freeBytes?: number
  /** Bytes of shards the site already holds (from the catalog). */
  storedBytes: number
}

export interface DomainPlacementInit {
  self: SiteId
  /** Current view, called on every place(): small array (number of sites). */
  sites: () => readonly SiteView[]
  /** Free bytes a site must keep beyond the shard; default DEFAULT_FREE_SPACE_MARGIN (256 MiB). */
  freeSpaceMargin?: number
}

export interface PlaceOptions {
  /** Accept fewer than k + m failure domains (several shards per domain, or per site). */
  allowDegraded?: boolean
  /** Any string (the caller passes the pack's shard ids joined): deterministic tie-breaks and shard order. */
  seed?: string
  /** Bytes of each shard: sites without room for it are skipped, and it sizes a load tie. */
  shardSize?: number
}
