import type { Catalog } from '@resilien/catalog'
import type { DiskShardStore } from '@resilien/store'
import type { SiteId } from '@resilien/types'

export interface ShardGcInit {
  self: SiteId
  store: DiskShardStore
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
  private timer: NodeJS.Timeout | undefined
  private running: Promise<ShardGcReport> | undefined
  private readonly controller = new AbortController()

  constructor (private readonly init: ShardGcInit) {}

  start (): void {
    const tick = (): void => {
      void this.runPass().catch((err: unknown) => {
        if (!this.controller.signal.aborted) this.init.log(`resilien: shard GC failed: ${(err as Error).message}`)
      }).finally(() => {
        if (this.controller.signal.aborted) return
        this.timer = setTimeout(tick, this.init.interval)
        this.timer.unref()
      })
    }
    this.timer = setTimeout(tick, this.init.interval)
    this.timer.unref()
  }

  async stop (): Promise<void> {
    this.controller.abort()
    if (this.timer !== undefined) clearTimeout(this.timer)
    await this.running?.catch(() => {})
  }

  async runPass (): Promise<ShardGcReport> {
    this.running ??= this.pass(this.controller.signal).finally(() => { this.running = undefined })
    return await this.running
  }

  private async pass (signal: AbortSignal): Promise<ShardGcReport> {
    const report: ShardGcReport = { kept: 0, deleted: 0, deletedBytes: 0 }
    const placed = this.init.catalog.placedShards(this.init.self)[Symbol.asyncIterator]()
    let next = await placed.next()
    const cutoff = Date.now() - this.init.grace
    try {
      for await (const info of this.init.store.list({ signal })) {
        while (next.done !== true && next.value < info.id) next = await placed.next()
        if ((next.done !== true && next.value === info.id) || info.storedAt > cutoff) {
          report.kept++
          continue
        }
        await this.init.store.delete(info.id, { signal })
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
