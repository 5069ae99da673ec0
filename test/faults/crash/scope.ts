import type { TestContext } from '../../src/index.js'

/**
 * The clean-ups of one cluster (its node processes and temp folders), run when the cluster is
 * done with rather than at the end of the whole suite: three or four idle nodes left running
 * would take CPU from the next operation's timing on a small machine.
 */
export class Scope implements TestContext {
  readonly #afters: Array<() => Promise<void> | void> = []

  after (fn: () => Promise<void> | void): void {
    this.#afters.push(fn)
  }

  /** Runs the clean-ups, newest first; one that fails does not stop the others. Idempotent. */
  async close (): Promise<void> {
    for (const fn of this.#afters.splice(0).reverse()) await Promise.resolve().then(fn).catch(() => {})
  }
}
