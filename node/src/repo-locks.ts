interface RepoLock {
  readers: number
  writer: boolean
  /** Callers waiting for the lock, including ones woken whose turn to look again has not come yet. */
  waiters: number
  /** Of those, the ones that want it alone: new readers queue behind them, so a prune is not starved. */
  writersWaiting: number
  waiting: Array<() => void>
}

/**
 * Per-repository readers-writer locks inside one node: backups, restores, checks and the
 * commands that read snapshots (ls, find, diff, dump, tag) share a repository; a prune has it
 * alone, so that no backup dedups against, and nothing reads from, a pack the prune is deleting.
 * A waiting prune goes before readers that come after it (no handler takes the lock twice, so
 * this cannot deadlock), and a caller whose signal aborts stops waiting. (Across sites, run prune
 * where no other site backs up the same repository at that moment: see README.)
 */
export class RepoLocks {
  private readonly locks = new Map<string, RepoLock>()

  async shared<T> (repo: string, work: () => Promise<T>, signal?: AbortSignal): Promise<T> {
    const lock = this.lockOf(repo)
    while (lock.writer || lock.writersWaiting > 0) await this.waitFor(lock, signal)
    lock.readers++
    try {
      return await work()
    } finally {
      lock.readers--
      this.release(repo, lock)
    }
  }

  async exclusive<T> (repo: string, work: () => Promise<T>, signal?: AbortSignal): Promise<T> {
    const lock = this.lockOf(repo)
    lock.writersWaiting++
    try {
      while (lock.writer || lock.readers > 0) await this.waitFor(lock, signal)
    } catch (err) {
      lock.writersWaiting--
      // The readers this prune held back look again.
      this.release(repo, lock)
      throw err
    }
    lock.writersWaiting--
    lock.writer = true
    try {
      return await work()
    } finally {
      lock.writer = false
      this.release(repo, lock)
    }
  }

  /** Locks in the map (for tests: none once nobody holds or waits for one). */
  get size (): number {
    return this.locks.size
  }

  private lockOf (repo: string): RepoLock {
    let lock = this.locks.get(repo)
    if (lock === undefined) {
      lock = { readers: 0, writer: false, waiters: 0, writersWaiting: 0, waiting: [] }
      this.locks.set(repo, lock)
    }
    return lock
  }

  private async waitFor (lock: RepoLock, signal: AbortSignal | undefined): Promise<void> {
    signal?.throwIfAborted()
    lock.waiters++
    try {
      await new Promise<void>((resolve, reject) => {
        const wake = (): void => {
          signal?.removeEventListener('abort', onAbort)
          resolve()
        }
        const onAbort = (): void => {
          const at = lock.waiting.indexOf(wake)
          if (at >= 0) lock.waiting.splice(at, 1)
          reject(signal?.reason)
        }
        lock.waiting.push(wake)
        signal?.addEventListener('abort', onAbort, { once: true })
      })
    } finally {
      lock.waiters--
    }
  }

  /**
   * Wakes every waiter to look again. The lock leaves the map only when nobody holds it and
   * nobody waits, woken or not: two readers that finish in one turn of the event loop wake a
   * waiting prune with the first and would otherwise drop the lock with the second, before the
   * prune took it, so that the next backup got a fresh lock of its own while the prune ran.
   */
  private release (repo: string, lock: RepoLock): void {
    for (const resolve of lock.waiting.splice(0)) resolve()
    if (lock.readers === 0 && !lock.writer && lock.waiters === 0) this.locks.delete(repo)
  }
}
