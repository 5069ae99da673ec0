/**
 * Runs tasks one at a time per key (a shard id, a file path), in call order. Only keys with work
 * under way hold memory, so it does not grow with the number of shards or files.
 */
export class KeyedLock {
  readonly #tails = new Map<string, Promise<void>>()

  async run<T> (key: string, task: () => Promise<T>): Promise<T> {
    const previous = this.#tails.get(key)
    let release!: () => void
    const done = new Promise<void>((resolve) => { release = resolve })
    const tail = previous === undefined ? done : previous.then(async () => await done)
    this.#tails.set(key, tail)
    try {
      if (previous !== undefined) await previous
      return await task()
    } finally {
      release()
      if (this.#tails.get(key) === tail) this.#tails.delete(key)
    }
  }
}
