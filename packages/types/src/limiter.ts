/**
 * A counting semaphore with a FIFO queue: an ending task hands its slot to the first waiter in
 * the same turn, so no caller that arrives meanwhile gets past the limit. A waiter whose signal
 * aborts leaves the queue.
 */
export class Limiter {
  readonly #limit: number
  #active = 0
  readonly #queue: Array<() => void> = []

  constructor (limit: number) {
    this.#limit = limit
  }

  get idle (): boolean {
    return this.#active === 0 && this.#queue.length === 0
  }

  async run<T> (task: () => Promise<T>, signal?: AbortSignal): Promise<T> {
    await this.#acquire(signal)
    try {
      return await task()
    } finally {
      this.#release()
    }
  }

  async #acquire (signal: AbortSignal | undefined): Promise<void> {
    signal?.throwIfAborted()
    if (this.#active < this.#limit) {
      this.#active++
      return
    }
    await new Promise<void>((resolve, reject) => {
      const onAbort = (): void => {
        const at = this.#queue.indexOf(grant)
        if (at >= 0) this.#queue.splice(at, 1)
        reject(signal?.reason)
      }
      const grant = (): void => {
        signal?.removeEventListener('abort', onAbort)
        this.#active++
        resolve()
      }
      this.#queue.push(grant)
      signal?.addEventListener('abort', onAbort, { once: true })
    })
  }

  #release (): void {
    this.#active--
    this.#queue.shift()?.()
  }
}

/** One Limiter per key, dropped when idle so the map does not grow with every peer ever seen. */
export class KeyedLimiter {
  readonly #limit: number
  readonly #limiters = new Map<string, Limiter>()

  constructor (limit: number) {
    this.#limit = limit
  }

  async run<T> (key: string, task: () => Promise<T>, signal?: AbortSignal): Promise<T> {
    let limiter = this.#limiters.get(key)
    if (limiter === undefined) {
      limiter = new Limiter(this.#limit)
      this.#limiters.set(key, limiter)
    }
    try {
      return await limiter.run(task, signal)
    } finally {
      if (limiter.idle) this.#limiters.delete(key)
    }
  }
}
