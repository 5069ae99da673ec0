import type { ChunkerOptions } from './options.js'

/**
 * Finer chunks for text: SQL dumps, logs, documents. A day's edits to a database dump touch rows
 * spread over the whole file, and each touched row costs the whole chunk around it. On the
 * next-day bench tree (a regenerated 41 MB pg_dump among other changes), a 16 KiB average for
 * text sent 0.52 MB of the dump against 1.56 MB at 64 KiB, and the whole day 3.25 MB against
 * 4.29 MB (compressed); the first backup grew by 0.3 % (smaller chunks compress a little worse)
 * and had 50 % more chunks. 8 KiB saved only 0.1 MB more, for twice the chunks.
 */
export const TEXT_CHUNKER_OPTIONS: Readonly<Required<Pick<ChunkerOptions, 'minSize' | 'avgSize' | 'maxSize'>>> = Object.freeze({
  minSize: 4 * 1024,
  avgSize: 16 * 1024,
  maxSize: 128 * 1024
})

/** Bytes of a file's start that decide whether it is text: a read or two, before any cut. */
export const TEXT_SNIFF_BYTES = 4096

/**
 * Whether a file that starts with `head` (its first TEXT_SNIFF_BYTES bytes, or all of it when
 * shorter) is text: no NUL byte, and under 1 % of other control bytes than tab, line feed,
 * vertical tab, form feed and carriage return. UTF-8 and Latin-1 text pass; compressed data,
 * images and pg_dump's custom format (binary, with NULs) do not. Only the first
 * TEXT_SNIFF_BYTES bytes are looked at, so the answer for a file does not depend on how it is
 * read. An empty head is not text.
 */
export function looksLikeText (head: Uint8Array): boolean {
  const end = Math.min(head.byteLength, TEXT_SNIFF_BYTES)
  if (end === 0) return false
  let control = 0
  for (let i = 0; i < end; i++) {
    const b = head[i] as number
    if (b >= 32) continue
    if (b === 0) return false
    if (b < 9 || b > 13) control++
  }
  return control * 100 < end
}
