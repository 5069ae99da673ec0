/** Steps of a readable axis: 1, 2 or 5 times a power of ten. */
const NICE_FACTORS = [1, 2, 5, 10]

/**
 * Ticks from 0 to at least `max`, about `count` of them, at a round step (1, 2 or 5 x 10^n);
 * the last tick is the axis's end. A max of 0 or less gives [0, 1].
 */
export function niceTicks (max: number, count = 5): number[] {
  if (!(max > 0) || !Number.isFinite(max)) return [0, 1]
  const raw = max / Math.max(1, count)
  const power = 10 ** Math.floor(Math.log10(raw))
  const step = (NICE_FACTORS.find((f) => f * power >= raw) ?? 10) * power
  const ticks: number[] = []
  for (let i = 0; ; i++) {
    // Rounded to the step's precision so that 0.1 * 3 prints as 0.3.
    const t = Number((i * step).toPrecision(12))
    ticks.push(t)
    if (t >= max) return ticks
  }
}

/** A tick label: no trailing zeros, thousands as k. */
export function tickLabel (value: number): string {
  if (value >= 10_000) return `${Number((value / 1000).toPrecision(3))}k`
  return String(Number(value.toPrecision(3)))
}
