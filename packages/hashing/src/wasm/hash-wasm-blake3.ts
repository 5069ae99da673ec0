import { createRequire } from 'node:module'
import type { createBLAKE3 as CreateBlake3 } from 'hash-wasm'

/**
 * hash-wasm's BLAKE3 alone: its per-algorithm bundle loads in a few milliseconds, where the
 * package's main entry parses every algorithm it has (~80 ms at import on the build machine).
 */
const bundle = createRequire(import.meta.url)('hash-wasm/dist/blake3.umd.min.js') as { createBLAKE3: typeof CreateBlake3 }

export const createBLAKE3 = bundle.createBLAKE3
