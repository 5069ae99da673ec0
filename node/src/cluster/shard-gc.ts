import type { Catalog } from '@resilien/catalog'
import type { ShardStore, SiteId } from '@resilien/types'
import { PeriodicPass } from './periodic-pass.js'

export interface ShardGcInit {
  self: SiteId
  store: Pick<ShardStore, 'list' | 'delete'>
  catalog: Pick<Catalog, 'placedShards'>
  /** A shard younger than this is kept even if no stripe places it here yet (its stripe record may still be on its way). */
  grace: number
  interval: number
  log: (line: string) => void
}

export interface ShardGcReport {
  kept: number
  deleted: number
  deletedBytes: number
}

/**
 * Deletes shards this site holds that no live stripe places on it any more: copies left behind
 * when repair rebuilt them elsewhere while the site was away, shards of deleted packs, and
 * orphans of a backup that died between its puts and its catalog entry. One merge of two lists
 * in id order (the store's and the catalog's), so memory does not grow with the store.
 */
export class ShardGc {
  private readonly periodic: PeriodicPass<ShardGcReport>

  constructor (private readonly init: ShardGcInit) {
    this.periodic = new PeriodicPass('shard GC', init.interval, async (signal) => await this.pass(signal), init.log)
  }

  start (): void {
    this.periodic.start()
  }

  async stop (): Promise<void> {
    await this.periodic.stop()
  }

  async runPass (): Promise<ShardGcReport> {
    return await this.periodic.runNow()
  }

  private async pass (signal: AbortSignal): Promise<ShardGcReport> {
    const report: ShardGcReport = { kept: 0, deleted: 0, deletedBytes: 0 }
    const cutoff = Date.now() - this.init.grace
    const placed = this.init.catalog.placedShards(this.init.self)[Symbol.asyncIterator]()
    let next = await placed.next()
    try {
      for await (const info of this.init.store.list({ signal })) {
        while (next.done !== true && next.value < info.id) next = await placed.next()
        if ((next.done !== true && next.value === info.id) || info.storedAt > cutoff) {
          report.kept++
          continue
        }
        // Deleted only if still older than the cutoff: a put may have renewed it since the listing.
        if (!await this.init.store.delete(info.id, { signal, storedBefore: cutoff })) {
          report.kept++
          continue
        }
        report.deleted++
        report.deletedBytes += info.size
      }
    } finally {
      await placed.return?.()
    }
    if (report.deleted > 0) this.init.log(`resilien: shard GC: ${report.deleted} shards (${report.deletedBytes} bytes) no stripe places here were deleted`)
    return report
  }
}
