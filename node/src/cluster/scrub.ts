import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import type { ErasureBackend } from '@resilien/erasure'
import type { Catalog } from '@resilien/catalog'
import type { DiskShardStore } from '@resilien/store'
import { NotFoundError, replaceFileDurably } from '@resilien/types'
import type { ShardSites, SiteId, StripeRecord } from '@resilien/types'
import { ByteRateLimit } from './rate-limit.js'
import { rebuildShards } from './rebuild-shards.js'
import { sleep } from './sleep.js'

/** File of the scrub's progress in the data dir: where the current round is, and what awaits repair. */
export const SCRUB_FILE = 'scrub.json'
/** Progress is saved at most this often (a crash re-checks at most this much). */
const SAVE_EVERY_MS = 5_000
/** Quarantined shards waiting for their rebuild, kept at most (more are found again next round). */
const MAX_PENDING = 1000

interface ScrubState {
  /** Last shard id checked in the current round ('' at its start). */
  after: string
  round: number
  roundStartedAt: number
  /** Quarantined shards whose rebuild has not succeeded yet. */
  pending: string[]
  corruptFound: number
  /** Shards the catalog places here that the store did not have. */
  missingFound?: number
  rebuilt: number
}

export interface ScrubInit {
  dataDir: string
  self: SiteId
  store: DiskShardStore
  catalog: Pick<Catalog, 'stripes' | 'placedShards'>
  sites: ShardSites
  isUp: (site: SiteId) => boolean
  /** Bytes per second re-hashed (0: no limit). */
  rate: number
  /** Pause between two rounds. */
  interval: number
  log: (line: string) => void
  erasure?: ErasureBackend
}

/**
 * Re-hashes every shard of this site's store at a bounded rate, round after round, resuming
 * from its saved position after a restart. A shard that fails is quarantined (its file kept
 * aside, never served) and rebuilt here from k shards of its stripe on other sites: same bytes,
 * same id, same site, so the catalog does not change. The same walk, merged in id order with
 * the catalog's list of shards placed here, finds shards that are missing altogether (a disk
 * that lost files, an operator's rm) and rebuilds them the same way.
 */
export class ScrubWorker {
  private state: ScrubState = { after: '', round: 1, roundStartedAt: Date.now(), pending: [], corruptFound: 0, rebuilt: 0 }
  private readonly limit: ByteRateLimit
  private readonly controller = new AbortController()
  private loop: Promise<void> | undefined
  private lastSave = 0

  constructor (private readonly init: ScrubInit) {
    this.limit = new ByteRateLimit(init.rate)
  }

  get stats (): Readonly<ScrubState> {
    return this.state
  }

  async start (): Promise<void> {
    try {
      const saved = JSON.parse(await readFile(join(this.init.dataDir, SCRUB_FILE), 'utf8')) as Partial<ScrubState>
      if (typeof saved.after === 'string' && Number.isSafeInteger(saved.round) && Array.isArray(saved.pending)) {
        this.state = { ...this.state, ...saved, pending: saved.pending.filter((p): p is string => typeof p === 'string').slice(0, MAX_PENDING) }
      }
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT' && !(err instanceof SyntaxError)) throw err
    }
    this.loop = this.run(this.controller.signal).catch((err: unknown) => {
      if (!this.controller.signal.aborted) this.init.log(`resilien: scrub stopped: ${(err as Error).message}`)
    })
  }

  async stop (): Promise<void> {
    this.controller.abort()
    await this.loop
    await this.save().catch(() => {})
  }

  private async run (signal: AbortSignal): Promise<void> {
    for (;;) {
      await this.round(signal)
      await this.rebuildPending(signal)
      this.init.log(`resilien: scrub round ${this.state.round} done: ${this.state.corruptFound} corrupt and ${this.state.missingFound ?? 0} missing shards found so far, ${this.state.rebuilt} rebuilt, ${this.state.pending.length} waiting`)
      this.state = { ...this.state, after: '', round: this.state.round + 1, roundStartedAt: Date.now() }
      await this.save()
      await sleep(this.init.interval, signal)
    }
  }

  private async round (signal: AbortSignal): Promise<void> {
    // The store's listing first: a shard that arrives after it started but is placed in the
    // catalog's listing looks missing, and `missing` asks the store again before believing it.
    const stored = this.init.store.list({ signal })[Symbol.asyncIterator]()
    const placed = this.init.catalog.placedShards(this.init.self)[Symbol.asyncIterator]()
    try {
      let next = await placed.next()
      for (let info = await stored.next(); info.done !== true; info = await stored.next()) {
        while (next.done !== true && next.value < info.value.id) {
          if (next.value > this.state.after) await this.missing(next.value, signal)
          next = await placed.next()
        }
        if (info.value.id > this.state.after) await this.check(info.value, signal)
      }
      for (; next.done !== true; next = await placed.next()) {
        if (next.value > this.state.after) await this.missing(next.value, signal)
      }
    } finally {
      await stored.return?.()
      await placed.return?.()
    }
  }

  private async missing (id: string, signal: AbortSignal): Promise<void> {
    if ((await this.init.store.has([id], { signal }))[0] === true) return
    this.state.missingFound = (this.state.missingFound ?? 0) + 1
    if (this.state.pending.length < MAX_PENDING && !this.state.pending.includes(id)) this.state.pending.push(id)
    this.init.log(`resilien: scrub: shard ${id} is placed here but missing; to be rebuilt`)
  }

  private async check (info: { id: string, size: number }, signal: AbortSignal): Promise<void> {
    await this.limit.take(info.size, signal)
    const ok = await this.init.store.verify(info.id, { signal })
    if (ok === false) {
      await this.init.store.quarantine(info.id, { signal })
      this.state.corruptFound++
      if (this.state.pending.length < MAX_PENDING) this.state.pending.push(info.id)
      this.init.log(`resilien: scrub: shard ${info.id} is corrupt; quarantined, to be rebuilt`)
    }
    this.state.after = info.id
    if (Date.now() - this.lastSave > SAVE_EVERY_MS) await this.save()
  }

  /** Rebuilds quarantined shards from their stripes; those that fail stay pending for the next round. */
  private async rebuildPending (signal: AbortSignal): Promise<void> {
    if (this.state.pending.length === 0) return
    const wanted = new Set(this.state.pending)
    const found = new Set<string>()
    // One pass over the stripes finds every pending shard this site holds (no index by shard id).
    for await (const stripe of this.init.catalog.stripes()) {
      signal.throwIfAborted()
      for (let i = 0; i < stripe.shards.length; i++) {
        const shard = stripe.shards[i]
        if (shard === undefined || shard.site !== this.init.self || !wanted.has(shard.id)) continue
        found.add(shard.id)
        try {
          await this.rebuild(stripe, i, signal)
          wanted.delete(shard.id)
          this.state.rebuilt++
        } catch (err) {
          if (signal.aborted) throw err
          this.init.log(`resilien: scrub: rebuilding shard ${shard.id} failed (retried next round): ${(err as Error).message}`)
        }
      }
    }
    // Shards no stripe places here any more (moved or deleted) need no rebuild.
    this.state.pending = this.state.pending.filter((id) => wanted.has(id) && found.has(id))
  }

  private async rebuild (stripe: StripeRecord, index: number, signal: AbortSignal): Promise<void> {
    const sources = stripe.shards.map((_, i) => i).filter((i) => this.init.isUp(stripe.shards[i]?.site as string))
    const bytes = (await rebuildShards(stripe, sources, [index], this.init.sites, { signal, ...(this.init.erasure === undefined ? {} : { erasure: this.init.erasure }) }))[index]
    const id = stripe.shards[index]?.id
    if (bytes === undefined || id === undefined) throw new NotFoundError('shard', String(index))
    await this.init.store.put(id, bytes, { signal })
    this.init.log(`resilien: scrub: shard ${id} rebuilt from ${stripe.k} others`)
  }

  private async save (): Promise<void> {
    this.lastSave = Date.now()
    await replaceFileDurably(join(this.init.dataDir, SCRUB_FILE), JSON.stringify(this.state) + '\n')
  }
}
