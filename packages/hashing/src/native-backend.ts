import type * as NapiBlakeHash from '@napi-rs/blake-hash'
import { OUT_LENGTH } from './constants.js'
import { defineBackend } from './modes.js'
import type { Blake3Modes } from './modes.js'
import type { Blake3Backend, Hasher, HasherOptions } from './types.js'

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

/** The binding streams only when no digest beyond 32 bytes will be asked for. */
function streamsNatively (options: HasherOptions | undefined): boolean {
  return options?.maxOutLength !== undefined && options.maxOutLength <= OUT_LENGTH
}

/** A streaming hasher on the binding; digests of at most 32 bytes (the caller checked). */
class NativeHasher implements Hasher {
  constructor (private readonly inner: InstanceType<NativeBinding['Blake3Hasher']>) {}

  update (data: Uint8Array): this {
    this.inner.update(data as Buffer)
    return this
  }

  digest (outLength: number = OUT_LENGTH): Uint8Array {
    // Shorter BLAKE3 outputs are prefixes of the 32-byte one.
    return view(this.inner.digestBuffer(), outLength)
  }
}

/**
 * The fast path: @napi-rs/blake-hash (the Rust `blake3` crate, SIMD) for one-shot outputs of up
 * to 32 bytes in all three modes, and for streaming hashers whose creator promised digests of at
 * most 32 bytes (`maxOutLength`; the shard store's hash of a shard arriving from the network).
 * The binding has no extended output, so longer outputs, and hashers that may be asked for them,
 * go to `fallback` (the WASM backend, or plain TypeScript where WASM is unavailable).
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
    createHasher: (options) => streamsNatively(options) ? new NativeHasher(new Blake3Hasher()) : fallback.createHasher(options),
    createKeyedHasher: (key, options) => streamsNatively(options) ? new NativeHasher(Blake3Hasher.newKeyed(key as Buffer)) : fallback.createKeyedHasher(key, options),
    createDeriveKeyHasher: (context) => fallback.createDeriveKeyHasher(context)
  })
}
