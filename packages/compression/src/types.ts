/** `native`: the zstd inside node:zlib (Node >= 22.15); `wasm`: zstd compiled to WebAssembly. */
export type CompressionBackendName = 'native' | 'wasm'

/**
 * One implementation of zstd. Every backend reads what any other writes: a payload is one
 * standard zstd frame (RFC 8878). Calls are synchronous: a 64 KiB chunk takes a few hundred
 * microseconds, and node:zlib's asynchronous zstd measured slower than its synchronous one at
 * that size (a zlib stream and thread-pool hops per call).
 */
export interface CompressionBackend {
  readonly name: CompressionBackendName
  /** One zstd frame that declares its content size; `level` as zstd's (default 3). */
  compress (data: Uint8Array, level?: number): Uint8Array
  /**
   * Decodes one zstd frame into at most `maxLength` bytes, allocating no more than about that.
   * Throws (any error) when the frame is corrupt or would decode to more.
   */
  decompress (data: Uint8Array, maxLength: number): Uint8Array
}
