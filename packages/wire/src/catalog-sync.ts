import { RejectedEntryError } from '@resilien/types'
import type { AbortOptions } from '@resilien/types'
import { encodeBatches } from './catalog-batches.js'
import { PUSH_BATCH } from './catalog-client.js'
import type { CatalogClient, Head } from './catalog-client.js'
import type { SiteInfo, SyncableCatalog } from './catalog-server.js'
import { RemoteError } from './remote-error.js'

/**
 * Passes over the logs a peer is ahead on. A log refused for a transient reason (its author's
 * key or an earlier entry not here yet) is tried again after other logs brought something
 * new, since that is how keys ('site-joined' facts) and missing entries arrive.
 */
const MAX_SYNC_PASSES = 3

const TRANSIENT_REASONS: ReadonlySet<string> = new Set(['gap', 'unknown-site'])

function isTransientRefusal (err: unknown): boolean {
  return err instanceof RejectedEntryError && TRANSIENT_REASONS.has(err.reason)
}

/** One round with one peer: heads, then pull+ingest every log where the peer is ahead. A transient
 *  refusal (RejectedEntryError reason 'gap' or 'unknown-site') skips that log this round. Returns entries ingested and the peer's info.
 *  Any other refusal (evidence against the peer or an author) is thrown. */
export async function syncFromPeer (client: CatalogClient, catalog: SyncableCatalog, peer: string, options?: AbortOptions): Promise<{ ingested: number, info: SiteInfo }> {
  const { heads: remote, info } = await client.heads(peer, options)
  let ingested = 0
  let pending = [...remote]
  for (let pass = 0; pass < MAX_SYNC_PASSES && pending.length > 0; pass++) {
    const local = await catalog.heads()
    const skipped: Array<[string, Head]> = []
    let progressed = false
    for (const [site, head] of pending) {
      const held = local.get(site)?.seq ?? 0
      if (held >= head.seq) continue
      try {
        await client.pull(peer, site, held + 1, async (entries) => {
          const added = await catalog.ingest(entries)
          ingested += added
          if (added > 0) progressed = true
        }, options)
      } catch (err) {
        if (!isTransientRefusal(err)) throw err
        skipped.push([site, head])
      }
    }
    if (!progressed) break
    pending = skipped
  }
  return { ingested, info }
}

/** Pushes our log of `site` to `peer` until the peer holds seq >= `upTo`; returns true when it does.
 *  False when we do not hold that far or the peer refuses for now (a gap, or it lacks the author's key). */
export async function pushLogTo (client: CatalogClient, catalog: SyncableCatalog, peer: string, site: string, upTo: number, options?: AbortOptions): Promise<boolean> {
  const { heads } = await client.heads(peer, options)
  let held = heads.get(site)?.seq ?? 0
  if (held >= upTo) return true
  try {
    for await (const batch of encodeBatches(catalog.entries(site, held + 1))) {
      options?.signal?.throwIfAborted()
      held = (await client[PUSH_BATCH](peer, site, batch, options))?.seq ?? held
      if (held >= upTo) return true
    }
  } catch (err) {
    if (err instanceof RemoteError && err.code === 'rejected' && TRANSIENT_REASONS.has(err.reason ?? '')) return false
    throw err
  }
  return held >= upTo
}
