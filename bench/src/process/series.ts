/**
 * Time series of the memory chart: points [seconds since the start, value], where a null value
 * is a gap (the process was not running), so that a line does not join two separate commands.
 */
export type SeriesPoint = [number, number | null]

export interface NamedSeries {
  name: string
  points: SeriesPoint[]
}

/** Named series filled one sample at a time; a gap is recorded once, however long it lasts. */
export class SeriesBook {
  readonly #series = new Map<string, SeriesPoint[]>()

  add (name: string, seconds: number, value: number): void {
    this.#points(name).push([seconds, value])
  }

  /** Marks that `name` has no value from `seconds` on (until its next `add`). */
  gap (name: string, seconds: number): void {
    const points = this.#points(name)
    const last = points[points.length - 1]
    if (last !== undefined && last[1] !== null) points.push([seconds, null])
  }

  toJSON (): NamedSeries[] {
    return [...this.#series].map(([name, points]) => ({ name, points: [...points] }))
  }

  #points (name: string): SeriesPoint[] {
    let points = this.#series.get(name)
    if (points === undefined) {
      points = []
      this.#series.set(name, points)
    }
    return points
  }
}

/**
 * At most about `maxPoints` points: consecutive samples are grouped into buckets and each bucket
 * keeps its largest value (a memory chart must not lose its peaks), at the time of that value.
 * Gaps are kept, and end the bucket they fall in.
 */
export function downsample (points: readonly SeriesPoint[], maxPoints: number): SeriesPoint[] {
  if (maxPoints < 1) throw new RangeError(`maxPoints must be >= 1, not ${maxPoints}`)
  if (points.length <= maxPoints) return [...points]
  const size = Math.ceil(points.length / maxPoints)
  const out: SeriesPoint[] = []
  let best: SeriesPoint | undefined
  let count = 0
  const flush = (): void => {
    if (best !== undefined) out.push(best)
    best = undefined
    count = 0
  }
  for (const p of points) {
    if (p[1] === null) {
      flush()
      out.push(p)
      continue
    }
    if (best === undefined || (best[1] as number) < p[1]) best = p
    if (++count === size) flush()
  }
  flush()
  return out
}

/** The largest value of a series (0 for one without values). */
export function seriesPeak (points: readonly SeriesPoint[]): number {
  let peak = 0
  for (const [, v] of points) if (v !== null && v > peak) peak = v
  return peak
}
