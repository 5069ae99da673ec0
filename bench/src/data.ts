import { randomFillSync } from 'node:crypto'

/** Incompressible bytes, filled in 64 MiB steps (randomFillSync caps one call at 2^31-1). */
export function randomData (size: number): Buffer {
  const out = Buffer.allocUnsafe(size)
  const step = 64 * 1024 * 1024
  for (let off = 0; off < size; off += step) randomFillSync(out, off, Math.min(step, size - off))
  return out
}

const WORDS = ('the of and to in is for that on with as by at from this be are or an it not which ' +
  'note user file share calendar contact password updated created deleted folder image document ' +
  'INSERT INTO VALUES NULL true false oc_filecache oc_activity oc_share 2025-03-03 12:00:00 ' +
  'markdown heading list link hedgedoc nextcloud talk meeting invoice report draft').split(' ')

/**
 * Compressible, text-like bytes resembling a SQL dump or notes: words from a small vocabulary,
 * numbers and line breaks, from a seeded generator so every run compresses alike.
 */
export function textData (size: number, seed = 1): Buffer {
  const out = Buffer.allocUnsafe(size)
  let state = seed >>> 0
  let pos = 0
  while (pos < size) {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0
    const word = WORDS[state % WORDS.length] as string
    const sep = (state >>> 24) < 16 ? '\n' : ((state >>> 24) < 40 ? `, ${state % 100000}` : ' ')
    pos += out.write(word + sep, pos, 'latin1')
  }
  return out
}

/** Views of `size` bytes each over `data` (the last may be shorter). */
export function slices (data: Uint8Array, size: number): Uint8Array[] {
  const out: Uint8Array[] = []
  for (let off = 0; off < data.byteLength; off += size) out.push(data.subarray(off, Math.min(off + size, data.byteLength)))
  return out
}
