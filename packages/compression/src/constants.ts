/** zstd level when the caller names none: zstd's own default, about what restic's "auto" mode uses. */
export const DEFAULT_LEVEL = 3

/**
 * Lowest level accepted. Negative levels are zstd's "fast" modes: on 64 KiB text, -3 keeps 42 %
 * of the bytes against 30 % at level 3, lz4 territory already; -7 is as far as we test.
 */
export const MIN_LEVEL = -7

/**
 * Highest level accepted. Levels 20-22 ("ultra") only widen the window, which a chunk of at most
 * a few hundred KiB cannot use, at several times the memory.
 */
export const MAX_LEVEL = 19

/**
 * A compressed payload is kept only if it saves at least 1/MIN_SAVING_DIVISOR of the plain size
 * (1/16 = 6.25 %). Below that, storing it raw costs about as many bytes on disk and spares every
 * restore a decompression.
 */
export const MIN_SAVING_DIVISOR = 16

/**
 * Chunks shorter than this are stored raw without trying: a zstd frame spends 9 or more bytes on
 * its headers, so the saving could not reach the threshold above often enough to pay the call.
 */
export const MIN_COMPRESS_LENGTH = 64

/** Bytes the entropy estimate reads, in ENTROPY_SLICES evenly spread slices, of a longer chunk. */
export const ENTROPY_SAMPLE_LENGTH = 4096

/** Slices of the sample: several places, so a text header does not hide a binary body. */
export const ENTROPY_SLICES = 8

/**
 * Order-0 entropy (bits per byte) from which a chunk counts as incompressible. Entropy coding
 * alone cannot shrink such bytes below H/8 of their size, and H/8 >= 1 - 1/MIN_SAVING_DIVISOR
 * means the saving would miss the threshold: 8 * (1 - 1/16) = 7.5 bits per byte. A 4 KiB sample
 * of random bytes measures about 7.95, JPEG or deflate output 7.9 and more, text 4.5 to 5.5.
 */
export const ENTROPY_SKIP_BITS_PER_BYTE = 8 * (1 - 1 / MIN_SAVING_DIVISOR)

/** Environment variable that forces a backend: `native` or `wasm`. */
export const BACKEND_ENV_VARIABLE = 'RESILIEN_COMPRESSION'
