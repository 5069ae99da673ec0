import { InvalidInputError } from '@resilien/types'

/**
 * The one JSON text of a value that every site computes alike: object keys sorted by UTF-16
 * code units, no white space, strings escaped as ECMAScript's JSON.stringify does, numbers only
 * as safe integers in plain decimal (so no float formatting can differ between implementations).
 * null, booleans, arrays and plain objects as usual; anything else (undefined, NaN, 1.5, bigint,
 * functions) is refused.
 */
export function canonicalJson (value: unknown): string {
  switch (typeof value) {
    case 'string':
      return JSON.stringify(value)
    case 'number':
      if (!Number.isSafeInteger(value)) throw new InvalidInputError(`canonical JSON holds only safe integers, not ${value}`)
      // String(-0) is "0": the one spelling of zero.
      return String(value)
    case 'boolean':
      return value ? 'true' : 'false'
    case 'object': {
      if (value === null) return 'null'
      if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`
      const object = value as Record<string, unknown>
      const members = Object.keys(object).sort().map((key) => `${JSON.stringify(key)}:${canonicalJson(object[key])}`)
      return `{${members.join(',')}}`
    }
    default:
      throw new InvalidInputError(`canonical JSON cannot hold a ${typeof value}`)
  }
}
