import { DEFAULT_LEVEL } from './constants.js'
import type { CompressionBackend } from './types.js'

/**
 * zstd compiled to WebAssembly by @foxglove/wasm-zstd (ZSTD_compress / ZSTD_decompress, -O3),
 * for a Node without zstd in node:zlib. It runs wherever Node runs, armv7 included. Decoding
 * writes into a buffer of `maxLength` bytes inside the WebAssembly memory: a frame that would
 * produce more fails there, it cannot make the buffer grow. Imported on demand: a Node with zstd
 * in node:zlib never compiles the WebAssembly.
 */
export async function createWasmBackend (): Promise<CompressionBackend> {
  const { default: wasmZstd } = await import('@foxglove/wasm-zstd')
  await wasmZstd.isLoaded
  return Object.freeze({
    name: 'wasm',
    compress (data: Uint8Array, level: number = DEFAULT_LEVEL): Uint8Array {
      return wasmZstd.compress(data, level)
    },
    decompress (data: Uint8Array, maxLength: number): Uint8Array {
      return wasmZstd.decompress(data, maxLength)
    }
  } satisfies CompressionBackend)
}
