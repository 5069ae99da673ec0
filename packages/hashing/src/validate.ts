import { InvalidInputError } from '@resilien/types'
import { KEY_LENGTH, MAX_OUT_LENGTH } from './constants.js'

// The native binding aborts the whole process on a key of the wrong length (a Rust panic),
// so every check happens here, before any backend sees the arguments.

export function checkData (data: Uint8Array, what = 'data'): void {
  if (!(data instanceof Uint8Array)) throw new InvalidInputError(`${what} must be a Uint8Array`)
}

export function checkKey (key: Uint8Array): void {
  checkData(key, 'key')
  if (key.byteLength !== KEY_LENGTH) {
    throw new InvalidInputError(`BLAKE3 key must be ${KEY_LENGTH} bytes, got ${key.byteLength}`)
  }
}

export function checkOutLength (outLength: number): void {
  if (!Number.isSafeInteger(outLength) || outLength < 0 || outLength > MAX_OUT_LENGTH) {
    throw new InvalidInputError(`BLAKE3 output length must be an integer in 0..${MAX_OUT_LENGTH}, got ${String(outLength)}`)
  }
}

export function checkContext (context: string): void {
  if (typeof context !== 'string') throw new InvalidInputError('derive_key context must be a string')
}
