/**
 * A pass that runs every `interval` (the next one `interval` after the last ended, so passes
 * never overlap) and on demand; a pass asked for while one runs shares it. `stop` aborts the
 * running pass through its signal and waits for it.
 */
export class PeriodicPass<T> {
  private timer: NodeJS.Timeout | undefined
  private running: Promise<T> | undefined
  private readonly controller = new AbortController()

  constructor (
    private readonly what: string,
    private readonly interval: number,
    private readonly pass: (signal: AbortSignal) => Promise<T>,
    private readonly log: (line: string) => void
  ) {}

  start (): void {
    const tick = (): void => {
      void this.runNow().catch((err: unknown) => {
        if (!this.controller.signal.aborted) this.log(`resilien: ${this.what} failed: ${(err as Error).message}`)
      }).finally(() => {
        if (this.controller.signal.aborted) return
        this.timer = setTimeout(tick, this.interval)
        this.timer.unref()
      })
    }
    this.timer = setTimeout(tick, this.interval)
    this.timer.unref()
  }

  async runNow (): Promise<T> {
    this.running ??= this.pass(this.controller.signal).finally(() => { this.running = undefined })
    return await this.running
  }

  async stop (): Promise<void> {
    this.controller.abort()
    if (this.timer !== undefined) clearTimeout(this.timer)
    await this.running?.catch(() => {})
  }
}
