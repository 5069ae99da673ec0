import { ClosedError } from '@resilien/types'

/**
 * Admits operations until closed, then refuses new ones with ClosedError and lets `close` wait
 * for those under way, so that a store never closes its index under a running put.
 */
export class OperationGate {
  readonly #what: string
  #closed = false
  #active = 0
  #idle: (() => void) | undefined

  constructor (what: string) {
    this.#what = what
  }

  get closed (): boolean {
    return this.#closed
  }

  assertOpen (): void {
    if (this.#closed) throw new ClosedError(this.#what)
  }

  async run<T> (task: () => Promise<T>): Promise<T> {
    this.assertOpen()
    this.#active++
    try {
      return await task()
    } finally {
      this.#active--
      if (this.#active === 0) this.#idle?.()
    }
  }

  /** Refuses new operations and resolves once the running ones have finished. */
  async close (): Promise<void> {
    this.#closed = true
    if (this.#active === 0) return
    await new Promise<void>((resolve) => { this.#idle = resolve })
  }
}
