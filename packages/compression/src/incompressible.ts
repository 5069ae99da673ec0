import { ENTROPY_SKIP_BITS_PER_BYTE } from './constants.js'
import { sniffCompressedFormat } from './compressed-formats.js'
import { sampleEntropy } from './entropy.js'

/**
 * The cheap "compressing does not pay" test, run before compressing: true when the chunk starts
 * like an already compressed format (JPEG, ZIP and office files, MP4, ...), or when a 4 KiB
 * sample of it has an order-0 entropy of ENTROPY_SKIP_BITS_PER_BYTE or more (later chunks of such
 * files, encrypted data). It reads at most a few KiB whatever the chunk size.
 */
export function looksIncompressible (plain: Uint8Array): boolean {
  if (sniffCompressedFormat(plain) !== undefined) return true
  return sampleEntropy(plain) >= ENTROPY_SKIP_BITS_PER_BYTE
}
