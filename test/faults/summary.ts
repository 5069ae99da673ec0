import { OUTCOMES } from './answers.js'
import type { Outcome, StreamResult } from './answers.js'
import type { Protocol } from './fuzz-case.js'

const MiB = 1024 * 1024

/** What the fuzzing of one protocol came to. */
export class ProtocolSummary {
  cases = 0
  streams = 0
  readonly outcomes: Record<Outcome, number> = Object.fromEntries(OUTCOMES.map((o) => [o, 0])) as Record<Outcome, number>
  /** Error frames by code. */
  readonly codes = new Map<string, number>()
  /** Cases sent by the stranger. */
  strangerCases = 0
  peakRss = 0
  readonly #started = Date.now()
  #ended: number | undefined

  constructor (readonly protocol: Protocol) {}

  count (results: readonly StreamResult[], stranger: boolean): void {
    this.cases++
    if (stranger) this.strangerCases++
    for (const r of results) {
      this.streams++
      this.outcomes[r.outcome]++
      if (r.code !== undefined) this.codes.set(r.code, (this.codes.get(r.code) ?? 0) + 1)
    }
  }

  end (): void {
    this.#ended = Date.now()
  }

  get seconds (): number {
    return ((this.#ended ?? Date.now()) - this.#started) / 1000
  }

  get casesPerSecond (): number {
    return this.cases / Math.max(this.seconds, 0.001)
  }

  toString (): string {
    const outcomes = OUTCOMES.filter((o) => this.outcomes[o] > 0).map((o) => `${o} ${this.outcomes[o]}`).join(', ')
    const codes = [...this.codes].sort((a, b) => b[1] - a[1]).map(([c, n]) => `${c} ${n}`).join(', ')
    return [
      `${this.protocol}: ${this.cases} cases (${this.strangerCases} as a stranger), ${this.streams} streams in ${this.seconds.toFixed(1)} s, ${this.casesPerSecond.toFixed(0)} cases/s, node peak RSS ${(this.peakRss / MiB).toFixed(0)} MiB`,
      `  outcomes: ${outcomes}`,
      `  error codes: ${codes === '' ? 'none' : codes}`
    ].join('\n')
  }
}
