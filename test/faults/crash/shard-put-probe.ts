import { watch } from 'node:fs'
import type { FSWatcher } from 'node:fs'
import { join } from 'node:path'
import type { Site } from '../../src/index.js'
import type { Timeline } from './phases.js'

interface Waiter {
  since: number
  count: number
  resolve: (at: number) => void
}

/**
 * Sees shard puts as they start, on every watched site: a put writes a fresh temp file
 * (`<shard id>.<random>`, store/tmp/) before renaming it into place, so every new name there is
 * one put. An inotify watch costs nothing, unlike walking 256 fan-out folders while the
 * operation runs; the times tell the phases of a reference run apart, and a kill can wait for
 * the n-th put of a run.
 */
export class ShardPutProbe {
  readonly #watchers = new Map<string, FSWatcher>()
  readonly #seen = new Set<string>()
  /** performance.now() of each put, in order. */
  readonly #times: number[] = []
  #waiters: Waiter[] = []

  /** Watches `site`'s store from now on (again for a site already watched: nothing). */
  watch (site: Site): void {
    const dir = join(site.dataDir, 'store', 'tmp')
    if (this.#watchers.has(dir)) return
    const watcher = watch(dir, (_event, name) => {
      if (name === null) return
      const key = `${dir}/${name}`
      if (this.#seen.has(key)) return
      this.#seen.add(key)
      this.#times.push(performance.now())
      this.#wake()
    })
    // The folder goes with the site's temp dir when its cluster is cleaned up.
    watcher.on('error', () => { watcher.close() })
    this.#watchers.set(dir, watcher)
  }

  /** The times of the puts that started in [from, to]. */
  between (from: number, to = Infinity): number[] {
    return this.#times.filter((t) => t >= from && t <= to)
  }

  /** Resolves with the time of the `count`-th put since `since` (at once if it was seen); never, once `signal` aborts. */
  async whenPuts (since: number, count: number, signal: AbortSignal): Promise<number> {
    const seen = this.between(since)[count - 1]
    if (seen !== undefined) return seen
    return await new Promise<number>((resolve) => {
      const waiter = { since, count, resolve }
      this.#waiters.push(waiter)
      signal.addEventListener('abort', () => { this.#waiters = this.#waiters.filter((w) => w !== waiter) }, { once: true })
    })
  }

  #wake (): void {
    this.#waiters = this.#waiters.filter((w) => {
      const at = this.between(w.since)[w.count - 1]
      if (at === undefined) return true
      w.resolve(at)
      return false
    })
  }

  /** The timeline of an uninterrupted run that started at `startedAt` and took `durationMs`. */
  timeline (startedAt: number, durationMs: number): Timeline {
    return { durationMs, putTimes: this.between(startedAt, startedAt + durationMs).map((t) => t - startedAt) }
  }

  close (): void {
    for (const watcher of this.#watchers.values()) watcher.close()
    this.#watchers.clear()
    this.#waiters = []
  }
}
