import { InvalidInputError } from '@resilien/types'

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

/**
 * A budget of concurrent tasks that never makes a task wait: a caller takes a slot if one is
 * free and otherwise does the work itself, in its own turn. For a recursive walk, where a task
 * waiting for a slot while holding one could deadlock, and where letting every level start all
 * its children at once would keep a number of open folders that grows with the tree's breadth.
 */
export class SpareSlots {
  private free: number

  constructor (readonly size: number) {
    this.free = size
  }

  tryTake (): boolean {
    if (this.free === 0) return false
    this.free--
    return true
  }

  give (): void {
    this.free++
  }
}

/**
 * Maps `items` in order: each item runs alongside the caller when `slots` has a free slot, and
 * in the caller's own turn otherwise, so a whole recursive walk runs as at most slots.size + 1
 * chains (the walk's own and one per slot), each holding one open level per depth. Results keep
 * the order of `items`; after a failure no new item starts, and the first failure is thrown once
 * the started ones have settled.
 */
export async function mapWithSpareSlots<T, R> (items: readonly T[], slots: SpareSlots, fn: (item: T) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length)
  const started: Array<Promise<void>> = []
  let failure: { err: unknown } | undefined
  const runOne = async (i: number): Promise<void> => {
    try {
      results[i] = await fn(items[i] as T)
    } catch (err) {
      failure ??= { err }
    }
  }
  for (let i = 0; i < items.length && failure === undefined; i++) {
    if (slots.tryTake()) started.push(runOne(i).finally(() => slots.give()))
    else await runOne(i)
  }
  await Promise.all(started)
  if (failure !== undefined) throw failure.err
  return results
}

/**
 * Packs a backup stores or a restore reads at once: `value` when given, else `fallback`. Below
 * one nothing would ever move (a backup's first finished pack would wait forever, a restore would
 * read no pack), so that is refused.
 */
export function packsInFlight (value: number | undefined, fallback: number): number {
  const n = value ?? fallback
  if (!(Number.isSafeInteger(n) && n >= 1)) throw new InvalidInputError(`packs in flight must be a whole number of at least 1, got ${String(n)}`)
  return n
}
