import { randomBytes } from 'node:crypto'
import { InvalidInputError } from '@resilien/types'

/** Length of the repository master key and of every sub-key, in bytes (256-bit keys). */
export const KEY_LENGTH = 32

/** A fresh random master key from the operating system's CSPRNG. */
export function generateMasterKey (): Uint8Array {
  return randomBytes(KEY_LENGTH)
}

/** Throws InvalidInputError unless `key` is a Uint8Array of KEY_LENGTH bytes. */
export function assertKey (key: Uint8Array, what: string): void {
  if (!(key instanceof Uint8Array) || key.byteLength !== KEY_LENGTH) {
    throw new InvalidInputError(`${what} must be ${KEY_LENGTH} bytes`)
  }
}
