/**
 * At most `size` tasks at once; the rest wait in order. Used to bound files in flight in backup
 * and restore, so concurrency hides I/O latency without letting memory grow.
 */
export class Limiter {
  private active = 0
  private readonly queue: Array<() => void> = []

  constructor (private readonly size: number) {}

  async run<T> (task: () => Promise<T>): Promise<T> {
    if (this.active >= this.size) await new Promise<void>((resolve) => this.queue.push(resolve))
    this.active++
    try {
      return await task()
    } finally {
      this.active--
      this.queue.shift()?.()
    }
  }
}

/**
 * Maps `items` with at most `concurrency` calls in flight, keeping the order of the results.
 * The first failure is thrown after the calls already started have settled.
 */
export async function mapConcurrent<T, R> (items: readonly T[], concurrency: number, fn: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length)
  let next = 0
  let failure: { err: unknown } | undefined
  const worker = async (): Promise<void> => {
    while (failure === undefined && next < items.length) {
      const i = next++
      try {
        results[i] = await fn(items[i] as T, i)
      } catch (err) {
        failure ??= { err }
      }
    }
  }
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, worker))
  if (failure !== undefined) throw failure.err
  return results
}
