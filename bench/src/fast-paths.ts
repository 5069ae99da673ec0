import { activeBackend, availableBackends as hashBackends, describeBackend } from '@resilien/hashing'
import { activeCompression, availableBackends as zstdBackends } from '@resilien/compression'
import { activeErasure, loadErasureBackend } from '@resilien/erasure'
import type { ErasureBackendName } from '@resilien/erasure'
import type { FastPath } from './machine.js'

const ERASURE_BACKENDS: readonly ErasureBackendName[] = ['native', 'portable']

/**
 * Each stage of the data path: the implementation this process uses and whether it is the fast
 * one. Chunking and sealing have one implementation each (TypeScript FastCDC; OpenSSL's
 * ChaCha20-Poly1305 through node:crypto), so they have no fallback to fall to.
 */
export async function describeFastPaths (): Promise<Record<string, FastPath>> {
  const hashes = await hashBackends()
  const zstds = await zstdBackends()
  const erasures = ERASURE_BACKENDS.filter((n) => loadErasureBackend(n) !== undefined)
  return {
    'BLAKE3 hash': {
      active: describeBackend(),
      fast: activeBackend.name === 'native',
      available: hashes,
      ...(hashes.includes('native') ? {} : { note: 'the native binding did not load' })
    },
    'zstd compression': {
      active: activeCompression.description,
      fast: activeCompression.name === 'native',
      available: zstds,
      ...(zstds.includes('native') ? {} : { note: `node:zlib of Node ${process.version} has no zstd (Node >= 22.15): wasm is used` })
    },
    'Reed-Solomon erasure code': {
      active: activeErasure.name,
      fast: activeErasure.name === 'native',
      available: erasures,
      ...(erasures.includes('native') ? {} : { note: 'the native binding did not load' })
    },
    'FastCDC chunking': { active: 'TypeScript', fast: true, available: ['TypeScript'], note: 'one implementation' },
    'ChaCha20-Poly1305 seal': { active: `node:crypto (OpenSSL ${process.versions.openssl ?? '?'})`, fast: true, available: ['node:crypto'], note: 'one implementation' }
  }
}
