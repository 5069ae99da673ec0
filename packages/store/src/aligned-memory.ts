/**
 * Buffers that O_DIRECT accepts. O_DIRECT wants the buffer's address (as well as the file
 * offset and the length) aligned to the device's logical block; a Buffer's address is whatever
 * malloc gave, but the memory of a WebAssembly instance starts on a page boundary.
 */
export const DIRECT_ALIGNMENT = 4096
const WASM_PAGE_BYTES = 65536

/** The one WebAssembly API used here (lib ES2023 does not declare WebAssembly; Node has it). */
declare const WebAssembly: {
  Memory: new (descriptor: { initial: number, maximum: number }) => { readonly buffer: ArrayBuffer }
}

/** `bytes` (rounded up to 64 KiB) of zeroed, page-aligned memory that never moves or grows. */
export function alignedBuffer (bytes: number): Uint8Array {
  const pages = Math.ceil(bytes / WASM_PAGE_BYTES)
  return new Uint8Array(new WebAssembly.Memory({ initial: pages, maximum: pages }).buffer, 0, bytes)
}

/** `n` rounded up to the alignment. */
export function alignUp (n: number): number {
  return Math.ceil(n / DIRECT_ALIGNMENT) * DIRECT_ALIGNMENT
}

/** True for the error a file system gives when it does not take O_DIRECT or its alignment. */
export function refusedDirect (error: unknown): boolean {
  return (error as { code?: unknown }).code === 'EINVAL'
}
