import { sleep } from './sleep.js'

/**
 * A token bucket over bytes: `take(n)` waits until n bytes fit the rate. Repair uses it so that
 * rebuilding a lost site does not flood a home fibre line. Rate 0 means no limit. The limit is
 * per site: several survivors repairing at once each send up to it.
 */
export class ByteRateLimit {
  private available: number
  private last: number

  constructor (private readonly bytesPerSecond: number, private readonly now: () => number = Date.now) {
    // One second of burst: a shard of a few MiB at a low rate still goes through, just later.
    this.available = bytesPerSecond
    this.last = now()
  }

  async take (bytes: number, signal?: AbortSignal): Promise<void> {
    if (this.bytesPerSecond <= 0) return
    this.refill()
    this.available -= bytes
    if (this.available >= 0) return
    await sleep(Math.ceil((-this.available / this.bytesPerSecond) * 1000), signal)
  }

  private refill (): void {
    const now = this.now()
    this.available = Math.min(this.bytesPerSecond, this.available + ((now - this.last) / 1000) * this.bytesPerSecond)
    this.last = now
  }
}
