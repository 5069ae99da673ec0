import { randomInt } from 'node:crypto'

/** Prints the problem and the usage line, exits 2 (a bad command line). */
export type Usage = (message: string) => never

/** An integer option of at least `min`; `fallback` when not given. */
export function integerOption (value: string | undefined, name: string, fallback: number, min: number, usage: Usage): number {
  if (value === undefined) return fallback
  const n = Number(value)
  if (!Number.isSafeInteger(n) || n < min) usage(`--${name} must be an integer of at least ${min}`)
  return n
}

/** The run's seed: given, or a random one (printed by the runner so the run can be replayed). */
export function seedOption (value: string | undefined, usage: Usage): number {
  const seed = integerOption(value, 'seed', randomInt(2 ** 31), 0, usage)
  if (seed >= 2 ** 32) usage('--seed must be below 2^32')
  return seed
}
