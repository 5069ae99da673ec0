import zlib from 'node:zlib'
import { DEFAULT_LEVEL } from './constants.js'
import type { CompressionBackend } from './types.js'

/** The zstd functions node:zlib has since Node 22.15 and 23.8; @types/node 20 does not know them. */
interface ZlibWithZstd {
  zstdCompressSync?: (data: Uint8Array, options: { params: Record<number, number>, pledgedSrcSize: number }) => Uint8Array
  zstdDecompressSync?: (data: Uint8Array, options: { maxOutputLength: number }) => Uint8Array
}

/**
 * zstd as built into node:zlib (libzstd, native code on every platform Node runs on, armv7
 * included), or undefined on a Node without it (20.x, 22.0-22.14). Decoding passes node:zlib a
 * `maxOutputLength`, so output beyond the limit stops the decoder instead of growing a buffer.
 */
export function createNativeBackend (): CompressionBackend | undefined {
  const { zstdCompressSync, zstdDecompressSync } = zlib as unknown as ZlibWithZstd
  const levelParameter = (zlib.constants as unknown as Record<string, number | undefined>).ZSTD_c_compressionLevel
  if (zstdCompressSync === undefined || zstdDecompressSync === undefined || levelParameter === undefined) return undefined
  return Object.freeze({
    name: 'native',
    compress (data: Uint8Array, level: number = DEFAULT_LEVEL): Uint8Array {
      // pledgedSrcSize makes the frame declare its content size, which decompressChunk requires.
      return zstdCompressSync(data, { params: { [levelParameter]: level }, pledgedSrcSize: data.length })
    },
    decompress (data: Uint8Array, maxLength: number): Uint8Array {
      // node:zlib rejects a maxOutputLength of 0; an empty frame decodes to nothing anyway.
      return zstdDecompressSync(data, { maxOutputLength: Math.max(1, maxLength) })
    }
  } satisfies CompressionBackend)
}
