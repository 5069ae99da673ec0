import { join } from 'node:path'
import { CONTROL_SOCKET_NAME, createControlClient } from '@resilien/control'
import type { StatusResult } from '@resilien/control'
import type { Site } from '../../src/index.js'

/** Pause between two status polls of a HealWatch. */
const POLL_MS = 100

/** Every stripe has all its shards on live sites, and the lost site is out of the membership. */
export function isHealed (status: StatusResult, lost: string): boolean {
  const r = status.redundancy
  return r.stripes > 0 && r.full === r.stripes && !status.sites.some((s) => s.name === lost)
}

/**
 * Polls a site's status until the cluster is healed after `lost` was declared lost. It asks the
 * control socket itself rather than spawning `resilien status --json` ten times a second: on a
 * small machine those processes would slow the very repair being timed. A node that is down
 * (killed) simply does not answer until it is back.
 */
export class HealWatch {
  #healedAt: number | undefined
  #stopped = false
  readonly #loop: Promise<void>

  constructor (site: Site, readonly lost: string) {
    const client = createControlClient(join(site.dataDir, CONTROL_SOCKET_NAME))
    this.#loop = (async () => {
      while (!this.#stopped) {
        const status = await client.call('status', {}).catch(() => undefined)
        if (status !== undefined && isHealed(status, lost)) {
          this.#healedAt = performance.now()
          return
        }
        // Polling is the only way to see it: the control API has no event for "healed".
        await new Promise((resolve) => setTimeout(resolve, POLL_MS))
      }
    })()
  }

  /** performance.now() when the healed state was first seen. */
  get healedAt (): number | undefined {
    return this.#healedAt
  }

  /** Settles once healed (or stopped). */
  get done (): Promise<void> {
    return this.#loop
  }

  /** Resolves with the time healed was seen; throws after `timeoutMs`. */
  async until (timeoutMs: number): Promise<number> {
    let timer: NodeJS.Timeout | undefined
    const timeout = new Promise<never>((_resolve, reject) => {
      timer = setTimeout(() => reject(new Error(`the cluster did not heal from the loss of ${this.lost} in ${timeoutMs / 1000} s`)), timeoutMs)
    })
    try {
      await Promise.race([this.#loop, timeout])
    } finally {
      clearTimeout(timer)
      await this.stop()
    }
    return this.#healedAt as number
  }

  async stop (): Promise<void> {
    this.#stopped = true
    await this.#loop
  }
}
