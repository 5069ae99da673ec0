interface Waiter<T> {
  item: T
  resolve: () => void
  reject: (error: unknown) => void
}

/**
 * Serializes writes and coalesces the ones that arrive while a write is under way into the next
 * one: concurrent puts then share one synchronous LevelDB write (one fsync of its log) instead of
 * queueing one each, and every write sees the counters left by the previous one. A failed write
 * fails every item of its group; nothing of that group was applied.
 */
export class GroupCommit<T> {
  readonly #write: (items: T[]) => Promise<void>
  #waiting: Array<Waiter<T>> = []
  #running = false

  constructor (write: (items: T[]) => Promise<void>) {
    this.#write = write
  }

  async submit (item: T): Promise<void> {
    const done = new Promise<void>((resolve, reject) => {
      this.#waiting.push({ item, resolve, reject })
    })
    if (!this.#running) void this.#drain()
    await done
  }

  async #drain (): Promise<void> {
    this.#running = true
    while (this.#waiting.length > 0) {
      const group = this.#waiting
      this.#waiting = []
      try {
        await this.#write(group.map((waiter) => waiter.item))
        for (const waiter of group) waiter.resolve()
      } catch (error) {
        for (const waiter of group) waiter.reject(error)
      }
    }
    this.#running = false
  }
}
