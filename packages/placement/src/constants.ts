const MiB = 1024 * 1024

/**
 * Free bytes a site must keep beyond the shard for place() to pick it. `SiteView.freeBytes` is the
 * raw free space of the site's file system, and a disk store refuses puts that would leave less
 * than its reserve (256 MiB by default, `DEFAULT_RESERVE_BYTES` of @resilien/store): a smaller
 * margin would pick sites that then refuse the shard.
 */
export const DEFAULT_FREE_SPACE_MARGIN = 256 * MiB

/**
 * Site score cache entries kept before the cache is emptied: far above any cluster size (~20),
 * so it is only a bound on memory when site ids churn.
 */
export const SITE_SCORE_CACHE_LIMIT = 1024

/**
 * How long a site that answered "no room" takes no new shards. Its free space, as the other
 * sites know it, comes with its reports and may be stale: without the pause every new stripe
 * could be sent to it and refused again until the next report.
 */
export const FULL_SITE_PAUSE_MS = 60_000
