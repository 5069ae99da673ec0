import { treeRssBytes } from './process-tree.js'
import { SeriesBook } from './series.js'
import type { NamedSeries } from './series.js'

/** How often each process's RSS is read: often enough to see a step of a second, cheap on /proc. */
export const RSS_SAMPLE_MS = 250

/** A named stretch of the run (a step), in seconds since the timeline's start. */
export interface StepWindow {
  name: string
  start: number
  end: number
}

/** Memory over time of every process of a scenario, and the steps, for the report's charts. */
export interface MemoryTimeline {
  intervalMs: number
  /** One series per process name (a name may cover several pids in turn: each CLI command). */
  series: NamedSeries[]
  steps: StepWindow[]
}

/**
 * Reads the RSS (with its children) of each tracked process every RSS_SAMPLE_MS, and records
 * the steps of the run. A process that exits leaves a gap in its series and is dropped.
 */
export class RssSampler {
  readonly #tracked = new Map<number, string>()
  readonly #book = new SeriesBook()
  readonly #steps: StepWindow[] = []
  readonly #t0 = performance.now()
  readonly #timer: NodeJS.Timeout
  #open: { name: string, start: number } | undefined

  /** `onStep` hears each step's name as it begins (the progress display shows it). */
  constructor (private readonly onStep: (name: string) => void = () => {}, readonly intervalMs = RSS_SAMPLE_MS) {
    this.#timer = setInterval(() => this.sample(), intervalMs)
    this.#timer.unref()
  }

  /** Samples `pid` under `name` from now on, until it exits. */
  track (name: string, pid: number): void {
    this.#tracked.set(pid, name)
    this.sample()
  }

  /** Begins a step (ending the one before, if any). */
  beginStep (name: string): void {
    this.endStep()
    this.#open = { name, start: this.#now() }
    this.onStep(name)
    this.sample()
  }

  endStep (): void {
    if (this.#open === undefined) return
    this.sample()
    this.#steps.push({ ...this.#open, end: this.#now() })
    this.#open = undefined
  }

  /** One reading of every tracked process (the timer calls it; a step's edges too). */
  sample (): void {
    const t = this.#now()
    for (const [pid, name] of this.#tracked) {
      const rss = treeRssBytes(pid)
      if (rss === undefined) {
        this.#book.gap(name, t)
        this.#tracked.delete(pid)
      } else {
        this.#book.add(name, t, rss)
      }
    }
  }

  /** Stops sampling; what was recorded. */
  stop (): MemoryTimeline {
    this.endStep()
    clearInterval(this.#timer)
    return { intervalMs: this.intervalMs, series: this.#book.toJSON(), steps: [...this.#steps] }
  }

  #now (): number {
    return Math.round(performance.now() - this.#t0) / 1000
  }
}
