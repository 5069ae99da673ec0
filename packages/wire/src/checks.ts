import { MalformedError } from './frames.js'
import type { Header } from './frames.js'

/**
 * Hand-written checks of what a peer sent: each returns the value with its type narrowed or
 * throws MalformedError naming the field. No schema library: the fields are few and every one
 * needs a bound anyway.
 */

const HEX64 = /^[0-9a-f]{64}$/

/** Refuses fields the protocol does not define (a typo or another version, not silently ignored). */
export function onlyKeys (header: Header, allowed: readonly string[]): void {
  for (const key of Object.keys(header)) {
    if (!allowed.includes(key)) throw new MalformedError(`unexpected field "${key.slice(0, 40)}"`)
  }
}

export function hex64 (value: unknown, what: string): string {
  if (typeof value !== 'string' || !HEX64.test(value)) throw new MalformedError(`${what} is not 64 lowercase hex characters`)
  return value
}

export function integer (value: unknown, what: string, min: number, max: number): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min || value > max) {
    throw new MalformedError(`${what} is not an integer from ${min} to ${max}`)
  }
  return value
}

export function optionalInteger (value: unknown, what: string, min: number, max: number): number | undefined {
  return value === undefined ? undefined : integer(value, what, min, max)
}

export function text (value: unknown, what: string, maxLength: number, minLength = 0): string {
  if (typeof value !== 'string' || value.length < minLength || value.length > maxLength) {
    throw new MalformedError(`${what} is not a string of ${minLength} to ${maxLength} characters`)
  }
  return value
}

export function optionalText (value: unknown, what: string, maxLength: number): string | undefined {
  return value === undefined ? undefined : text(value, what, maxLength)
}

export function boolean (value: unknown, what: string): boolean {
  if (typeof value !== 'boolean') throw new MalformedError(`${what} is not a boolean`)
  return value
}

export function textArray (value: unknown, what: string, maxCount: number, maxLength: number): string[] {
  if (!Array.isArray(value) || value.length > maxCount) throw new MalformedError(`${what} is not an array of at most ${maxCount} strings`)
  return value.map((item, i) => text(item, `${what}[${i}]`, maxLength))
}

export function plainObject (value: unknown, what: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new MalformedError(`${what} is not an object`)
  return value as Record<string, unknown>
}

export function literal<T extends string> (value: unknown, what: string, allowed: readonly T[]): T {
  if (typeof value !== 'string' || !(allowed as readonly string[]).includes(value)) {
    throw new MalformedError(`${what} is not one of ${allowed.join(', ')}`)
  }
  return value as T
}
