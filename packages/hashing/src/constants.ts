/** Default output length in bytes, and the size of a chaining value. */
export const OUT_LENGTH = 32

/** keyed_hash takes exactly this many key bytes (BLAKE3 spec). */
export const KEY_LENGTH = 32

/**
 * Largest output we hand out. XOF output serves keys and ids here; a request beyond this is a
 * bug, and refusing it keeps a bad argument from allocating gigabytes.
 */
export const MAX_OUT_LENGTH = 1024 * 1024

/** Bytes compressed at once (BLAKE3 spec). */
export const BLOCK_LENGTH = 64

/** Leaves of the hash tree are chunks of this many bytes (BLAKE3 spec). */
export const CHUNK_LENGTH = 1024

/** Chaining values a tree over 2^64 bytes can stack up: 64 - log2(CHUNK_LENGTH). */
export const MAX_TREE_DEPTH = 54

/** Domain flags of the compression function (BLAKE3 spec, section 2.1). */
export const CHUNK_START = 1 << 0
export const CHUNK_END = 1 << 1
export const PARENT = 1 << 2
export const ROOT = 1 << 3
export const KEYED_HASH = 1 << 4
export const DERIVE_KEY_CONTEXT = 1 << 5
export const DERIVE_KEY_MATERIAL = 1 << 6

/** The initial chaining value of unkeyed modes: SHA-256's IV (BLAKE3 spec). */
export const IV: Readonly<Uint32Array> = Uint32Array.of(
  0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19
)

/** Environment variable that forces a backend: `native` or `wasm`. */
export const BACKEND_ENV_VARIABLE = 'RESILIEN_BLAKE3'
