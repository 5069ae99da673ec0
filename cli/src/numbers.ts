import { InvalidArgumentError } from 'commander'

/**
 * Option parsers for numbers, as strict as restic's: decimal digits only. `Number(text)` would
 * take "0x1", "1e0", " 3" and "" (as 0): a typo must be a usage error (exit 2), not a policy
 * that keeps or codes something else than the operator meant.
 */

/** A parser for a whole number of at least `min`. */
export function wholeNumber (min: number): (text: string) => number {
  return (text: string): number => {
    const n = /^[0-9]+$/.test(text) ? Number(text) : Number.NaN
    if (!Number.isSafeInteger(n) || n < min) throw new InvalidArgumentError(`expected a whole number >= ${min}`)
    return n
  }
}

/** A share between 0 and 1, written as a decimal fraction ("0.2", "1", ".5"). */
export function share (text: string): number {
  const n = /^([0-9]+(\.[0-9]*)?|\.[0-9]+)$/.test(text) ? Number(text) : Number.NaN
  if (!(n >= 0 && n <= 1)) throw new InvalidArgumentError('expected a share between 0 and 1, e.g. 0.2')
  return n
}
