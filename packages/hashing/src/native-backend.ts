import type * as NapiBlakeHash from '@napi-rs/blake-hash'
import { OUT_LENGTH } from './constants.js'
import { defineBackend } from './modes.js'
import type { Blake3Modes } from './modes.js'
import type { Blake3Backend } from './types.js'

/** The binding's exports, loaded with `require` because it is a CommonJS addon. */
export type NativeBinding = typeof NapiBlakeHash

/** BLAKE3 of the empty input (BLAKE3 test vectors): a binary that loads must give it. */
const EMPTY_INPUT_HASH = 'af1349b9f5f9a1a6a0404dea36dcc9499bcb25c9adc112b7cc9a93cae41f3262'

/** The first `length` bytes of a Buffer from the binding, as a plain Uint8Array, without copying. */
function view (buffer: Buffer, length: number): Uint8Array {
  return new Uint8Array(buffer.buffer, buffer.byteOffset, length)
}

/**
 * The binding's keyed hasher for the last key used, reset between calls: chunk ids hash many
 * 64 KiB chunks under one repository key, and creating a hasher per call costs ~10 % there.
 */
class KeyedHasherCache {
  private key = new Uint8Array(0)
  private hasher: InstanceType<NativeBinding['Blake3Hasher']> | undefined

  constructor (private readonly Blake3Hasher: NativeBinding['Blake3Hasher']) {}

  /** A keyed hasher with no input yet. */
  get (key: Uint8Array): InstanceType<NativeBinding['Blake3Hasher']> {
    if (this.hasher !== undefined && Buffer.compare(key, this.key) === 0) {
      this.hasher.reset()
      return this.hasher
    }
    this.hasher = this.Blake3Hasher.newKeyed(key as Buffer)
    this.key = key.slice()
    return this.hasher
  }
}

/**
 * The fast path: @napi-rs/blake-hash (the Rust `blake3` crate, SIMD) for one-shot outputs of up
 * to 32 bytes in all three modes. The binding can produce neither extended output nor, for a
 * streaming hasher, more than 32 bytes; since a hasher learns its output length only at
 * `digest`, streaming and outputs beyond 32 bytes go to `fallback` (the WASM backend, or plain
 * TypeScript where WASM is unavailable).
 */
export function createNativeBackend (binding: NativeBinding, fallback: Blake3Modes): Blake3Backend {
  const { blake3, Blake3Hasher } = binding
  if (blake3(Buffer.alloc(0)).toString('hex') !== EMPTY_INPUT_HASH) {
    throw new Error('the native BLAKE3 binding loads but gives a wrong digest')
  }
  const keyed = new KeyedHasherCache(Blake3Hasher)
  return defineBackend('native', {
    hash: (data, outLength) => outLength <= OUT_LENGTH
      ? view(blake3(data as Buffer), outLength)
      : fallback.hash(data, outLength),
    keyedHash: (key, data, outLength) => outLength <= OUT_LENGTH
      ? view(keyed.get(key).update(data as Buffer).digestBuffer(), outLength)
      : fallback.keyedHash(key, data, outLength),
    deriveKey: (context, material, outLength) => outLength <= OUT_LENGTH
      ? view(Blake3Hasher.deriveKey(context, material as Buffer), outLength)
      : fallback.deriveKey(context, material, outLength),
    createHasher: () => fallback.createHasher(),
    createKeyedHasher: (key) => fallback.createKeyedHasher(key),
    createDeriveKeyHasher: (context) => fallback.createDeriveKeyHasher(context)
  })
}
