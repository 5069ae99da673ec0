import { randomBytes } from 'node:crypto'
import { readFileSync } from 'node:fs'

/** xorshift32: a small deterministic stream, so fixtures made by the zstd CLI can be re-derived. */
function* stream (seed: number): Generator<number, never, undefined> {
  let state = seed >>> 0 || 1
  for (;;) {
    state ^= state << 13
    state >>>= 0
    state ^= state >>> 17
    state ^= state << 5
    state >>>= 0
    yield state
  }
}

const WORDS = [
  'backup', 'chunk', 'restore', 'snapshot', 'the', 'of', 'and', 'a', 'to', 'in', 'is', 'that',
  'file', 'user', 'Nextcloud', 'HedgeDoc', 'INSERT', 'INTO', 'VALUES', 'COPY', 'public', 'note',
  'with', 'for', 'on', 'as', 'by', 'this', 'be', 'shard', 'pack', 'site', 'index', 'key', '42',
  '2025-03-03', 'license', 'software', 'copyright', 'permission', 'notice', 'warranty'
]

/** Text made of common words, compressible about like prose or a SQL dump. */
export function pseudoText (length: number, seed = 1): Uint8Array {
  const random = stream(seed)
  let text = ''
  while (text.length < length) {
    const value = random.next().value
    text += WORDS[value % WORDS.length] as string
    text += value % 11 === 0 ? '\n' : ' '
  }
  return new TextEncoder().encode(text.slice(0, length))
}

/** Deterministic bytes that no compressor can shrink. */
export function pseudoRandom (length: number, seed = 1): Uint8Array {
  const random = stream(seed)
  const bytes = new Uint8Array(length)
  for (let i = 0; i < length; i++) bytes[i] = random.next().value & 0xff
  return bytes
}

/** Fresh random bytes as a plain Uint8Array (not a Buffer), to compare with what we decode. */
export function random (length: number): Uint8Array {
  return new Uint8Array(randomBytes(length))
}

/** A fixture of test/fixtures, read from the source tree (tsc does not copy it to dist). */
export function fixture (name: string): Uint8Array {
  return new Uint8Array(readFileSync(new URL(`../../test/fixtures/${name}`, import.meta.url)))
}

/** Resident memory in MiB, to show that a call did not allocate a huge buffer. */
export function residentMiB (): number {
  return process.memoryUsage().rss / (1024 * 1024)
}
