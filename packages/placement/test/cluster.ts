import type { ShardPlacement, SiteId, StripeRecord } from '@resilien/types'
import { DomainPlacement } from '../src/index.js'
import type { SiteView } from '../src/index.js'

export const MiB = 1024 * 1024

/** n up sites, each its own zone, nothing stored, free space unknown. */
export function sitesOf (n: number, zoneOf: (i: number) => string = (i) => `zone-${i}`): SiteView[] {
  return Array.from({ length: n }, (_, i) => ({ site: `site-${i}`, zone: zoneOf(i), up: true, storedBytes: 0 }))
}

/** A placement over a mutable view, as the node gives it. */
export function placementOver (views: SiteView[], self = views[0]?.site ?? 'site-0'): DomainPlacement {
  return new DomainPlacement({ self, sites: () => views })
}

export function stripeOn (sites: readonly SiteId[], k: number, m = sites.length - k): StripeRecord {
  const shards: ShardPlacement[] = sites.map((site, i) => ({ id: `shard-${i}`, site, size: MiB }))
  return { repo: 'repo', pack: 'pack', k, m, packLength: k * MiB, shardLength: MiB, shards }
}

export function countBy<T> (items: readonly T[]): Map<T, number> {
  const counts = new Map<T, number>()
  for (const item of items) counts.set(item, (counts.get(item) ?? 0) + 1)
  return counts
}

/** Deterministic pseudo-random integers (xorshift32), so tests that vary inputs are repeatable. */
export class Prng {
  #state: number
  constructor (seed: number) { this.#state = seed >>> 0 || 1 }
  next (): number {
    let x = this.#state
    x ^= x << 13
    x ^= x >>> 17
    x ^= x << 5
    this.#state = x >>> 0
    return this.#state
  }

  int (min: number, max: number): number {
    return min + (this.next() % (max - min + 1))
  }
}

/** The error `fn` throws, checked to be an instance of `type`. */
export function catchError<E extends Error> (fn: () => unknown, type: new (...args: never[]) => E): E {
  try {
    fn()
  } catch (error) {
    if (error instanceof type) return error
    throw error
  }
  throw new Error(`expected ${type.name}, but nothing was thrown`)
}
