/** Which implementation computes the digests; both give identical bytes for every call. */
export type Blake3BackendName = 'native' | 'wasm'

/**
 * An incremental BLAKE3 computation. `digest` does not end it: more `update` calls may follow,
 * and each digest covers everything given so far.
 */
export interface Hasher {
  /** Adds bytes; they are consumed before the call returns, so the caller may reuse the buffer. */
  update (data: Uint8Array): this
  /** Output of `outLength` bytes (default 32); beyond 32 it is BLAKE3's extendable output. */
  digest (outLength?: number): Uint8Array
}

/** What a hasher will be asked for, when its creator knows. */
export interface HasherOptions {
  /**
   * The longest `digest` the caller will ask for. At 32 or less the native backend streams too
   * (its binding has no extendable output); a longer digest is then refused.
   */
  maxOutLength?: number
}

/** The three BLAKE3 modes, one-shot and incremental, computed by one implementation. */
export interface Blake3Backend {
  readonly name: Blake3BackendName
  /** Plain BLAKE3 of `data`. Shorter outputs are prefixes of longer ones. */
  hash (data: Uint8Array, outLength?: number): Uint8Array
  /** BLAKE3 keyed by a 32-byte secret: a MAC or a PRF. */
  keyedHash (key: Uint8Array, data: Uint8Array, outLength?: number): Uint8Array
  /** Key derivation: `context` names the purpose (a fixed, unique string), `keyMaterial` is the secret. */
  deriveKey (context: string, keyMaterial: Uint8Array, outLength?: number): Uint8Array
  createHasher (options?: HasherOptions): Hasher
  createKeyedHasher (key: Uint8Array, options?: HasherOptions): Hasher
  /** Streams the key material of `deriveKey(context, ...)`. */
  createDeriveKeyHasher (context: string): Hasher
}
