import { InvalidInputError } from '@resilien/types'

/**
 * Hand-written checks for data from the network: each returns the value with its static type or
 * throws InvalidInputError naming the path of the offending field. Objects must be plain and
 * hold exactly the listed keys, so nothing unexpected (an extra field, __proto__) gets stored.
 */

function fail (path: string, expected: string, value: unknown): never {
  const got = value === null ? 'null' : Array.isArray(value) ? 'an array' : typeof value === 'string' ? `a string of ${value.length} characters` : typeof value
  throw new InvalidInputError(`${path}: expected ${expected}, got ${got}`)
}

/** A plain object with every one of `keys` and nothing but them and `optional` ones. */
export function plainObject (value: unknown, path: string, keys: readonly string[], optional: readonly string[] = []): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) fail(path, 'an object', value)
  const proto = Object.getPrototypeOf(value) as unknown
  if (proto !== Object.prototype && proto !== null) fail(path, 'a plain object', value)
  const object = value as Record<string, unknown>
  const own = Object.keys(object)
  for (const key of own) {
    if (!keys.includes(key) && !optional.includes(key)) throw new InvalidInputError(`${path}: unexpected field "${key.slice(0, 64)}"`)
  }
  for (const key of keys) {
    if (!Object.hasOwn(object, key)) throw new InvalidInputError(`${path}.${key}: missing`)
  }
  return object
}

export function array (value: unknown, path: string, maxLength: number): unknown[] {
  if (!Array.isArray(value)) fail(path, 'an array', value)
  if (value.length > maxLength) throw new InvalidInputError(`${path}: more than ${maxLength} items (${value.length})`)
  return value
}

export function integer (value: unknown, path: string, min = 0, max = Number.MAX_SAFE_INTEGER): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || Object.is(value, -0)) fail(path, 'an integer', value)
  if (value < min || value > max) throw new InvalidInputError(`${path}: ${value} is outside [${min}, ${max}]`)
  return value
}

/** A string of at most maxLength characters that matches pattern (which also sets the minimum length). */
export function text (value: unknown, path: string, maxLength: number, pattern: RegExp, expected: string): string {
  if (typeof value !== 'string') fail(path, expected, value)
  if (value.length > maxLength || !pattern.test(value)) fail(path, `${expected} (at most ${maxLength} characters)`, value)
  return value
}

export const PATTERNS = Object.freeze({
  /** Peer ids in any multibase text encoding are alphanumeric; that also keeps '!' out of keys. */
  siteId: /^[A-Za-z0-9]+$/,
  hex32: /^[0-9a-f]{32}$/,
  hex64: /^[0-9a-f]{64}$/,
  hex128: /^[0-9a-f]{128}$/,
  /** Printable ASCII without spaces: hex, base64, base58, multiaddrs. */
  token: /^[\x21-\x7e]+$/,
  /** Well-formed Unicode text without control characters (names are shown on terminals). */
  label: /^(?:[^\u0000-\u001f\u007f\ud800-\udfff]|[\ud800-\udbff][\udc00-\udfff])*$/,
  nonEmptyLabel: /^(?:[^\u0000-\u001f\u007f\ud800-\udfff]|[\ud800-\udbff][\udc00-\udfff])+$/
})
