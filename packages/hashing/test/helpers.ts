import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { availableBackends, loadBackend } from '../src/index.js'
import type { Blake3Modes } from '../src/modes.js'
import { createNativeBackend } from '../src/native-backend.js'
import type { NativeBinding } from '../src/native-backend.js'
import { portableModes } from '../src/portable/portable-modes.js'

/** The official BLAKE3 test vectors (BLAKE3-team/BLAKE3, test_vectors/test_vectors.json). */
export interface TestVectors {
  key: string
  context_string: string
  cases: Array<{ input_len: number, hash: string, keyed_hash: string, derive_key: string }>
}

// Tests run from dist/test; the fixture stays in the source tree.
export const vectors = JSON.parse(
  readFileSync(new URL('../../test/fixtures/test_vectors.json', import.meta.url), 'utf8')
) as TestVectors

/** The vectors' input: byte i is i mod 251. */
export function vectorInput (length: number): Uint8Array {
  return Uint8Array.from({ length }, (_, i) => i % 251)
}

export function hex (bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex')
}

/**
 * Every implementation this machine can run: the public backends, the TypeScript reference,
 * and, where the binding loads, native with its TypeScript fallback (what a machine without
 * WebAssembly would use).
 */
export async function implementations (): Promise<Array<{ name: string, modes: Blake3Modes }>> {
  const list: Array<{ name: string, modes: Blake3Modes }> = []
  for (const name of await availableBackends()) {
    const backend = await loadBackend(name)
    if (backend !== undefined) list.push({ name, modes: backend })
  }
  list.push({ name: 'typescript', modes: portableModes })
  if (list.some((i) => i.name === 'native')) {
    const binding = createRequire(import.meta.url)('@napi-rs/blake-hash') as NativeBinding
    list.push({ name: 'native with typescript fallback', modes: createNativeBackend(binding, portableModes) })
  }
  return list
}

/** A small seeded generator (mulberry32): the same "random" cases on every run. */
export function seededRandom (seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32
  }
}

/** Feeds `data` to `update` in pieces whose sizes cycle through `sizes`. */
export function feed (update: (piece: Uint8Array) => unknown, data: Uint8Array, sizes: readonly number[]): void {
  let pos = 0
  for (let i = 0; pos < data.byteLength; i++) {
    const size = sizes[i % sizes.length] as number
    update(data.subarray(pos, pos + size))
    pos += size
  }
}
