import { readFile } from 'node:fs/promises'
import { hash } from '@resilien/hashing'
import { toHex } from '@resilien/types'
import { CatalogClient, ShardClient } from '@resilien/wire'
import type { SiteHost } from '@resilien/wire'
import { statusOf } from '../src/index.js'
import type { Site } from '../src/index.js'
import { Random } from './random.js'

const MiB = 1024 * 1024
/** Bytes of the shard a probe puts and gets back: several stream chunks, still quick. */
const PROBE_SHARD_BYTES = 300 * 1024
/** A probe is a put, a get and a heads on an idle node: seconds at most, even on a loaded box. */
const PROBE_TIMEOUT_MS = 30_000
/**
 * What the node printing any of these means: it crashed or nearly did (a rejection nobody
 * handled, an exception nobody caught, the heap running out), or it leaks listeners.
 */
const TROUBLE = /unhandled|uncaught|FATAL ERROR|heap out of memory|MaxListenersExceeded|Warning: Possible .* leak/i

/** The node failed a check; `message` says which. */
export class HealthError extends Error {
  constructor (message: string) {
    super(message)
    this.name = 'HealthError'
  }
}

export interface NodeWatchInit {
  site: Site
  /** The node's peer id. */
  peer: string
  /** A member host: the probes are what a normal client of the node does. */
  member: SiteHost
  /** How far the node's RSS may rise above what it was when the watch started. */
  rssHeadroomBytes: number
  /** Seeds the probe shards (a rerun puts the same bytes). */
  seed: number
}

async function rssOf (pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8')
  if (/^State:\s+Z/m.test(status)) throw new HealthError(`the node (pid ${pid}) exited`)
  const kib = /^VmRSS:\s+(\d+) kB/m.exec(status)?.[1]
  if (kib === undefined) throw new HealthError(`no VmRSS for pid ${pid}`)
  return Number(kib) * 1024
}

/** Watches the fuzzed node: alive, memory bounded, nothing alarming in its output, still serving. */
export class NodeWatch {
  readonly baselineRss: number
  readonly rssBound: number
  peakRss: number
  lastRss: number
  readonly #init: NodeWatchInit
  readonly #pid: number
  #logSeen = 0
  #probes = 0

  private constructor (init: NodeWatchInit, pid: number, baselineRss: number) {
    this.#init = init
    this.#pid = pid
    this.baselineRss = baselineRss
    this.peakRss = baselineRss
    this.lastRss = baselineRss
    this.rssBound = baselineRss + init.rssHeadroomBytes
  }

  static async start (init: NodeWatchInit): Promise<NodeWatch> {
    const pid = init.site.pid
    if (pid === undefined) throw new HealthError('the node is not running')
    return new NodeWatch(init, pid, await rssOf(pid))
  }

  get rss (): string {
    return `${(this.peakRss / MiB).toFixed(0)} MiB peak (start ${(this.baselineRss / MiB).toFixed(0)}, bound ${(this.rssBound / MiB).toFixed(0)})`
  }

  /** Cheap, often: the process lives, its RSS is under the bound, its output holds no alarm. */
  async sample (): Promise<number> {
    const { site } = this.#init
    let rss: number
    try {
      rss = await rssOf(this.#pid)
    } catch (err) {
      if (err instanceof HealthError) throw err
      throw new HealthError(`the node (pid ${this.#pid}) is gone: ${(err as Error).message}\n${site.log.slice(-4000)}`)
    }
    this.peakRss = Math.max(this.peakRss, rss)
    this.lastRss = rss
    if (rss > this.rssBound) throw new HealthError(`the node's RSS is ${(rss / MiB).toFixed(1)} MiB, above ${(this.rssBound / MiB).toFixed(1)} MiB (start + headroom)`)
    const fresh = site.log.slice(this.#logSeen)
    this.#logSeen = site.log.length
    const alarm = fresh.split('\n').find((line) => TROUBLE.test(line))
    if (alarm !== undefined) throw new HealthError(`the node printed: ${alarm}\n${fresh.slice(0, 4000)}`)
    return rss
  }

  /** Thorough, now and then: a sample, `resilien status --json`, and a put, get and heads of a normal client. */
  async check (): Promise<void> {
    await this.sample()
    const { site, peer, member, seed } = this.#init
    try {
      await statusOf(site)
    } catch (err) {
      throw new HealthError(`\`resilien status --json\` failed: ${(err as Error).message}`)
    }
    const data = new Random((seed ^ 0x5eed) + this.#probes++).bytes(PROBE_SHARD_BYTES)
    const id = toHex(hash(data))
    const signal = AbortSignal.timeout(PROBE_TIMEOUT_MS)
    try {
      const shards = new ShardClient(member)
      await shards.put(peer, id, data, { signal })
      const back = await shards.get(peer, id, undefined, { signal })
      if (back === undefined || !Buffer.from(back).equals(data)) throw new Error('the shard came back different or not at all')
      await new CatalogClient(member).heads(peer, { signal })
    } catch (err) {
      throw new HealthError(`a normal client's put, get and heads failed: ${(err as Error).message}`)
    }
  }
}
