import { ResilienError } from '@resilien/types'
import { RestoreWindow } from './restore-plan.js'
import type { PlannedFile } from './restore-plan.js'

/**
 * The restore's windows (restore-plan.ts) in a pipeline of two: a full window is read while the
 * walk fills the next, and the walk waits only when that one is full too. A restore larger than
 * one window no longer stops walking (loading trees, making folders) while each window is read.
 *
 * A window is read only once it is full, or at the end of the walk. Reading it earlier, when the
 * reader is idle, was measured and not kept: a backup's packs mix the chunks of files far apart
 * in the walk, so the first 542 chunks of a 270 MB restore touched 14 packs that the next window
 * read again, and the restore took 2.0-2.1 s instead of 1.5-1.7.
 */
export class WindowPipeline {
  private window: RestoreWindow
  private reading: Promise<void> | undefined
  private failure: { error: unknown } | undefined
  private stopped = false

  /**
   * `read` plans and reads one window; it runs for one window at a time. `maxChunks` as
   * RestoreWindow's (tests make it small).
   */
  constructor (private readonly read: (window: RestoreWindow) => Promise<void>, private readonly maxChunks?: number) {
    if (maxChunks !== undefined && !(Number.isSafeInteger(maxChunks) && maxChunks >= 1)) throw new RangeError(`a restore window holds at least one chunk, not ${maxChunks}`)
    this.window = new RestoreWindow(maxChunks)
  }

  /**
   * Plans chunks [from, total) of a file, as many as the window takes; returns where it stopped
   * (call again until it returns `total`). Waits while the window is full and the previous one
   * is still being read; throws what a read failed with.
   */
  async add (file: PlannedFile, from: number, total: number): Promise<number> {
    while (this.window.room() === 0) {
      this.throwIfFailed()
      if (this.reading === undefined) this.start()
      else await this.reading
    }
    this.throwIfFailed()
    const to = from + Math.min(this.window.room(), total - from)
    this.window.add(file, from, to)
    if (this.window.room() === 0 && this.reading === undefined && !this.stopped) this.start()
    return to
  }

  /** Reads what is planned and waits for every read: the end of the walk. */
  async finish (): Promise<void> {
    for (;;) {
      while (this.reading !== undefined) await this.reading
      this.throwIfFailed()
      if (this.window.empty) return
      this.start()
    }
  }

  /**
   * Starts no more reads and waits for the one under way, whatever its outcome: when the walk
   * failed, the writer must not be ended under a read.
   */
  async stop (): Promise<void> {
    this.stopped = true
    while (this.reading !== undefined) await this.reading
  }

  private start (): void {
    const window = this.window
    this.window = new RestoreWindow(this.maxChunks)
    // Caught here, so that a read failing while nobody awaits it is not an unhandled rejection:
    // the walk gets the error at its next add, or at finish.
    this.reading = Promise.resolve().then(async () => await this.read(window)).then(() => {
      this.reading = undefined
      // The walk may have filled the next window meanwhile and gone on to load trees.
      if (this.window.room() === 0 && !this.stopped) this.start()
    }, (error: unknown) => {
      this.reading = undefined
      this.failure ??= { error }
    })
  }

  /** Throws what a read failed with (or that reading stopped): the walk asks between files. */
  throwIfFailed (): void {
    if (this.failure !== undefined) throw this.failure.error
    if (this.stopped) throw new ResilienError('the restore has stopped reading')
  }
}
