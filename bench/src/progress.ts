/** How often the status line is redrawn on a terminal (its elapsed time moves). */
const REDRAW_MS = 500
/** Width of the status line where the terminal does not say, and the least it is cut to. */
const DEFAULT_COLUMNS = 100
const MIN_COLUMNS = 20

/**
 * What the bench shows while it runs. On a terminal: the log lines, and below them one status
 * line redrawn in place (scenario, step, time in the step, time since the start). Elsewhere (a
 * CI log, a pipe): plain lines only, one more at each step's start.
 */
export class Progress {
  readonly #out: NodeJS.WriteStream
  readonly #tty: boolean
  readonly #quiet: boolean
  readonly #t0 = performance.now()
  #scenario = ''
  #step = ''
  #stepT0 = performance.now()
  #timer: NodeJS.Timeout | undefined
  #shown = false

  /** `quiet`: no log lines (--json on a pipe); a terminal still gets its status line. */
  constructor (out: NodeJS.WriteStream = process.stderr, options: { quiet?: boolean } = {}) {
    this.#out = out
    this.#tty = out.isTTY === true
    this.#quiet = options.quiet === true
  }

  scenario (name: string): void {
    this.#scenario = name
    this.step('starting')
  }

  step (name: string): void {
    this.#step = name
    this.#stepT0 = performance.now()
    if (this.#tty) {
      this.#timer ??= setInterval(() => this.#draw(), REDRAW_MS).unref()
      this.#draw()
    } else if (!this.#quiet) {
      this.#out.write(`· ${this.#scenario}: ${name}\n`)
    }
  }

  log (line: string): void {
    if (this.#quiet) return
    if (this.#tty) this.#clear()
    this.#out.write(line + '\n')
    if (this.#tty && this.#step !== '') this.#draw()
  }

  /** Removes the status line for good (before the results are printed). */
  done (): void {
    if (this.#timer !== undefined) clearInterval(this.#timer)
    this.#timer = undefined
    if (this.#tty) this.#clear()
    this.#step = ''
  }

  #clear (): void {
    if (!this.#shown) return
    this.#out.write('\r\x1b[2K')
    this.#shown = false
  }

  #draw (): void {
    const now = performance.now()
    const text = statusText(this.#scenario, this.#step, (now - this.#stepT0) / 1000, (now - this.#t0) / 1000)
    // A terminal of unknown width (0 under some wrappers) gets DEFAULT_COLUMNS.
    const columns = this.#out.columns > 0 ? this.#out.columns : DEFAULT_COLUMNS
    const width = Math.max(MIN_COLUMNS, columns - 1)
    this.#out.write(`\r\x1b[2K${text.length > width ? text.slice(0, width - 1) + '…' : text}`)
    this.#shown = true
  }
}

/** "[cluster] first backup 12.3 s | 1:05 total". */
export function statusText (scenario: string, step: string, stepSeconds: number, totalSeconds: number): string {
  const total = `${Math.floor(totalSeconds / 60)}:${String(Math.floor(totalSeconds % 60)).padStart(2, '0')}`
  return `[${scenario}] ${step} ${stepSeconds.toFixed(1)} s | ${total} total`
}
