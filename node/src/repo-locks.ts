/**
 * Per-repository readers-writer locks inside one node: backups, restores and checks share a
 * repository; a prune has it alone, so that no backup dedups against, and no restore reads from,
 * a pack the prune is deleting. (Across sites, run prune where no other site backs up the same
 * repository at that moment: see README.)
 */
export class RepoLocks {
  private readonly locks = new Map<string, { readers: number, writer: boolean, waiting: Array<() => void> }>()

  async shared<T> (repo: string, work: () => Promise<T>): Promise<T> {
    const lock = this.lockOf(repo)
    while (lock.writer) await new Promise<void>((resolve) => lock.waiting.push(resolve))
    lock.readers++
    try {
      return await work()
    } finally {
      lock.readers--
      this.wake(repo, lock)
    }
  }

  async exclusive<T> (repo: string, work: () => Promise<T>): Promise<T> {
    const lock = this.lockOf(repo)
    while (lock.writer || lock.readers > 0) await new Promise<void>((resolve) => lock.waiting.push(resolve))
    lock.writer = true
    try {
      return await work()
    } finally {
      lock.writer = false
      this.wake(repo, lock)
    }
  }

  private lockOf (repo: string): { readers: number, writer: boolean, waiting: Array<() => void> } {
    let lock = this.locks.get(repo)
    if (lock === undefined) {
      lock = { readers: 0, writer: false, waiting: [] }
      this.locks.set(repo, lock)
    }
    return lock
  }

  private wake (repo: string, lock: { readers: number, writer: boolean, waiting: Array<() => void> }): void {
    const waiting = lock.waiting.splice(0)
    // Woken waiters hold this very lock object: it stays in the map until nobody uses it.
    if (waiting.length === 0 && lock.readers === 0 && !lock.writer) this.locks.delete(repo)
    for (const resolve of waiting) resolve()
  }
}
