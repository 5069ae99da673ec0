import { createBLAKE3 } from './hash-wasm-blake3.js'
import { DERIVE_KEY_MATERIAL, KEYED_HASH } from '../constants.js'
import { defineBackend } from '../modes.js'
import { deriveContextKey } from '../portable/portable-modes.js'
import type { Blake3Backend } from '../types.js'
import { WasmEngine } from './wasm-engine.js'

/** Extended output long enough to run three compressions of the root. */
const CHECK_OUT_LENGTH = 131
/** Five chunks and a bit: a stacked subtree, a parent merge and a partial last block. */
const CHECK_INPUT_LENGTH = 5 * 1024 + 77

/**
 * Hashes a keyed, multi-chunk input to an extended output both through our reading of
 * hash-wasm's state and through hash-wasm alone. A hash-wasm release that moved a field would
 * make them differ: the backend then refuses to load instead of giving wrong digests.
 */
async function checkStateLayout (engine: WasmEngine): Promise<void> {
  const key = Uint8Array.from({ length: 32 }, (_, i) => 255 - i)
  const input = Uint8Array.from({ length: CHECK_INPUT_LENGTH }, (_, i) => (i * 7) % 256)
  const reference = await createBLAKE3(CHECK_OUT_LENGTH * 8, key)
  const expected = reference.update(input).digest('binary')
  const streamed = engine.createHasher(key, KEYED_HASH).update(input.subarray(0, 1500)).update(input.subarray(1500)).digest(CHECK_OUT_LENGTH)
  const oneShot = engine.hashOnce(key, KEYED_HASH, input, CHECK_OUT_LENGTH)
  if (!Buffer.from(expected).equals(streamed) || !Buffer.from(expected).equals(oneShot)) {
    throw new Error('hash-wasm\'s BLAKE3 state layout is not the one this package reads; pin hash-wasm to a checked version')
  }
}

/** The portable backend: hash-wasm for the bulk of every mode, TypeScript for the rest. */
export async function createWasmBackend (): Promise<Blake3Backend> {
  const engine = await WasmEngine.create()
  await checkStateLayout(engine)
  return defineBackend('wasm', {
    hash: (data, outLength) => engine.hashOnce(undefined, 0, data, outLength),
    keyedHash: (key, data, outLength) => engine.hashOnce(key, KEYED_HASH, data, outLength),
    // derive_key's context step hashes a short string: TypeScript; the material goes to WASM.
    deriveKey: (context, material, outLength) => engine.hashOnce(deriveContextKey(context), DERIVE_KEY_MATERIAL, material, outLength),
    // Streaming WASM gives any output length: the promised maximum changes nothing here.
    createHasher: () => engine.createHasher(undefined, 0),
    createKeyedHasher: (key) => engine.createHasher(key, KEYED_HASH),
    createDeriveKeyHasher: (context) => engine.createHasher(deriveContextKey(context), DERIVE_KEY_MATERIAL)
  })
}
