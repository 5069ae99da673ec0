import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { BACKEND_ENV_VARIABLE as BLAKE3_BACKEND_ENV, loadBackend, availableBackends } from '@resilien/hashing'
import type { Blake3BackendName } from '@resilien/hashing'
import { chunkLengths } from '@resilien/chunking'
import { generateMasterKey, deriveRepoKeys, sealChunk, sealChunkInto, openChunk, SEAL_OVERHEAD } from '@resilien/crypto'
import { activeCompression, compressChunk, decompressChunk, loadBackend as loadZstd } from '@resilien/compression'
import type { CompressionBackendName } from '@resilien/compression'
import { loadErasureBackend, splitIntoDataShards } from '@resilien/erasure'
import type { ErasureBackendName } from '@resilien/erasure'
import { measure } from '../measure.js'
import type { StageResult } from '../measure.js'
import { randomData, textData, slices } from '../data.js'
import { onCleanup } from '../process/cleanup.js'
import { mustRun } from '../process/timed-run.js'
import { measurePlainWrites } from './store-writes.js'

export interface StagesOptions {
  /** Bytes of generated input per stage (256 MiB by default, less with --quick). */
  size: number
  rounds: number
  /** Called with each result as soon as it is measured (progress on the terminal). */
  onResult?: (r: StageResult) => void
  /** Hears each stage's name as it begins (the progress line). */
  onStep?: (name: string) => void
}

/** A variant that could not be measured here, and why (a native binding that does not load). */
export interface UnavailableStage {
  stage: string
  variant: string
  reason: string
}

export interface StagesResult {
  results: StageResult[]
  unavailable: UnavailableStage[]
}

const KiB = 1024
const MiB = 1024 * KiB
const HASH_INPUT = 1 * MiB
const SEAL_CHUNK = 64 * KiB
const COMPRESS_CHUNK = 64 * KiB
const PACK_SIZE = 8 * MiB
const RS_LAYOUTS: ReadonlyArray<[number, number]> = [[2, 1], [4, 2], [8, 3]]
const HASH_BACKENDS: readonly Blake3BackendName[] = ['native', 'wasm']
const ZSTD_BACKENDS: readonly CompressionBackendName[] = ['native', 'wasm']
/** zstd's default level, as compressChunk uses it. */
const ZSTD_LEVEL = 3
/** Store writes: shards of the default layout (4 MiB pack / k = 2), 4 at once as a node receives them. */
const STORE_SHARD = 2 * MiB
const STORE_CONCURRENCY = 4
/** The store stage's program, run once per BLAKE3 backend (the backend is chosen at process start). */
const STORE_STAGE_CHILD = fileURLToPath(new URL('../tools/store-stage-child.js', import.meta.url))

/**
 * Per-stage throughput of the data path's building blocks, native and fallback side by side:
 * hash, chunk, seal, compress, erasure code, store write with fsync. Chunking (TypeScript) and
 * sealing (node:crypto) have one implementation each.
 */
export async function runStages (options: StagesOptions): Promise<StagesResult> {
  const results: StageResult[] = []
  const unavailable: UnavailableStage[] = []
  const add = (r: StageResult): void => {
    results.push(r)
    options.onResult?.(r)
  }
  const { size, rounds } = options
  const random = randomData(size)
  const text = textData(size)

  // BLAKE3 on 1 MiB inputs, each backend available here.
  options.onStep?.('blake3 hash')
  const hashInputs = slices(random, HASH_INPUT)
  const hashes = await availableBackends()
  for (const name of HASH_BACKENDS.filter((n) => !hashes.includes(n))) unavailable.push({ stage: 'blake3 hash', variant: name, reason: 'does not load here' })
  for (const name of hashes) {
    const backend = await loadBackend(name)
    if (backend === undefined) continue
    add(await measure('blake3 hash', `${name}, 1 MiB inputs`, size, () => {
      for (const input of hashInputs) backend.hash(input)
    }, { rounds, extra: { target: name === 'native' ? '>= 4000' : '>= 800' } }))
    const key = new Uint8Array(32).fill(7)
    add(await measure('blake3 keyed hash', `${name}, 64 KiB chunks`, size, () => {
      for (const input of slices(random, 64 * KiB)) backend.keyedHash(key, input)
    }, { rounds }))
  }

  // FastCDC at the default 64 KiB average and at 1 MiB average.
  options.onStep?.('fastcdc')
  for (const [label, opts] of [
    ['avg 64 KiB', {}],
    ['avg 1 MiB', { minSize: 256 * KiB, avgSize: 1 * MiB, maxSize: 8 * MiB }]
  ] as const) {
    let count = 0
    const r = await measure('fastcdc', label, size, () => { count = chunkLengths(random, opts).length }, { rounds })
    r.extra = { chunks: count, meanKiB: Math.round(size / count / KiB), ...(label === 'avg 64 KiB' ? { target: '>= 1200' } : {}) }
    add(r)
  }

  // ChaCha20-Poly1305 seal and open of 64 KiB chunks. The packer seals straight into its pack
  // buffer (sealChunkInto); sealChunk, which allocates its output, is shown beside it.
  options.onStep?.('seal')
  const keys = deriveRepoKeys(generateMasterKey())
  const sealInputs = slices(random, SEAL_CHUNK)
  const packBuffer = Buffer.allocUnsafe(PACK_SIZE + SEAL_CHUNK + SEAL_OVERHEAD)
  add(await measure('seal chacha20-poly1305', '64 KiB chunks into a pack', size, () => {
    let offset = 0
    for (const c of sealInputs) {
      if (offset + c.byteLength + SEAL_OVERHEAD > packBuffer.byteLength) offset = 0
      offset += sealChunkInto(keys.dataKey, c, packBuffer, offset)
    }
  }, { rounds, extra: { target: '>= 1500' } }))
  let sealed: Uint8Array[] = []
  add(await measure('seal chacha20-poly1305', '64 KiB chunks, new buffer each', size, () => {
    sealed = sealInputs.map((c) => sealChunk(keys.dataKey, c))
  }, { rounds }))
  add(await measure('open chacha20-poly1305', '64 KiB chunks', size, () => {
    for (const s of sealed) openChunk(keys.dataKey, s)
  }, { rounds }))
  sealed = []

  // zstd of 64 KiB chunks, each backend, text and random. compressChunk (the active backend with
  // the "does not pay" skip, what the packer calls) beside the bare backends.
  options.onStep?.('compress')
  for (const name of ZSTD_BACKENDS) {
    const backend = await loadZstd(name)
    if (backend === undefined) {
      unavailable.push({ stage: 'zstd compress', variant: name, reason: name === 'native' ? `node:zlib of Node ${process.version} has no zstd (Node >= 22.15)` : 'does not load here' })
      continue
    }
    for (const [label, data] of [['text', text], ['random', random]] as const) {
      const inputs = slices(data, COMPRESS_CHUNK)
      let frames: Uint8Array[] = []
      const r = await measure('zstd compress', `${name}, level ${ZSTD_LEVEL}, ${label}, 64 KiB chunks`, size, () => {
        frames = inputs.map((c) => backend.compress(c, ZSTD_LEVEL))
      }, { rounds })
      r.extra = { ratio: (size / frames.reduce((n, f) => n + f.byteLength, 0)).toFixed(2) }
      add(r)
      add(await measure('zstd decompress', `${name}, ${label}, 64 KiB chunks`, size, () => {
        for (const f of frames) backend.decompress(f, 512 * KiB)
      }, { rounds }))
    }
  }
  for (const [label, data] of [['text', text], ['random', random]] as const) {
    const inputs = slices(data, COMPRESS_CHUNK)
    let frames: Uint8Array[] = []
    add(await measure('compressChunk', `${activeCompression.name}, with the skip check, ${label}, 64 KiB`, size, () => {
      frames = inputs.map((c) => compressChunk(c))
    }, { rounds }))
    const stored = frames.reduce((n, f) => n + f.byteLength, 0)
    const compressResult = results[results.length - 1]
    if (compressResult !== undefined) compressResult.extra = { ratio: (size / stored).toFixed(2) }
    add(await measure('decompressChunk', `${activeCompression.name}, ${label}, 64 KiB`, size, () => {
      for (const f of frames) decompressChunk(f, 512 * KiB)
    }, { rounds }))
  }

  // Reed-Solomon on 8 MiB packs: encode, and reconstruct two lost data shards (one for m = 1).
  options.onStep?.('erasure code')
  const packs = slices(random, PACK_SIZE).filter((p) => p.byteLength === PACK_SIZE)
  for (const backendName of ['native', 'portable'] as ErasureBackendName[]) {
    const backend = loadErasureBackend(backendName)
    if (backend === undefined) {
      unavailable.push({ stage: 'rs encode', variant: backendName, reason: 'the native binding does not load here' })
      continue
    }
    for (const [k, m] of RS_LAYOUTS) {
      const split = packs.map((p) => splitIntoDataShards(p, k).shards)
      // The portable path is measured on fewer packs so a run stays short; MB/s is per byte anyway.
      const used = backendName === 'portable' ? split.slice(0, Math.max(1, split.length >> 3)) : split
      const bytes = used.length * PACK_SIZE
      let parities: Uint8Array[][] = []
      const target = k === 4 ? { extra: { target: backendName === 'native' ? '>= 2000' : '>= 300' } } : {}
      add(await measure('rs encode', `${backendName} ${k}+${m}, 8 MiB packs`, bytes, async () => {
        parities = []
        for (const shards of used) parities.push(await backend.encode(k, m, shards))
      }, { rounds, ...target }))
      const lost = Math.min(m, 2)
      add(await measure('rs reconstruct', `${backendName} ${k}+${m}, ${lost} data lost`, bytes, async () => {
        for (let i = 0; i < used.length; i++) {
          const all: Array<Uint8Array | undefined> = [...(used[i] as Uint8Array[]), ...(parities[i] as Uint8Array[])]
          for (let j = 0; j < lost; j++) all[j] = undefined
          await backend.reconstruct(k, m, all)
        }
      }, { rounds }))
    }
  }

  options.onStep?.('store write with fsync')
  for (const r of await runStoreStages(size, rounds, hashes)) add(r)
  return { results, unavailable }
}

/**
 * Shard writes on the bench's disk: plain files with fsync (the disk's pace) here, then the shard
 * store's put (hash check, fsync, rename, index) in a child process per BLAKE3 backend.
 */
async function runStoreStages (size: number, rounds: number, hashes: readonly Blake3BackendName[]): Promise<StageResult[]> {
  const dir = mkdtempSync(join(tmpdir(), 'resilien-bench-store-'))
  const remove = onCleanup(() => rmSync(dir, { recursive: true, force: true }))
  try {
    const o = { dir, size, shardBytes: STORE_SHARD, concurrency: STORE_CONCURRENCY, rounds }
    const out = [await measurePlainWrites(o)]
    for (const name of hashes) {
      const run = await mustRun(process.execPath, [STORE_STAGE_CHILD, '--dir', dir, '--size', String(size), '--shard', String(STORE_SHARD),
        '--concurrency', String(STORE_CONCURRENCY), '--rounds', String(rounds)], { env: { [BLAKE3_BACKEND_ENV]: name } })
      out.push(JSON.parse(run.stdout.trim().split('\n').pop() ?? '{}') as StageResult)
    }
    return out
  } finally {
    remove()
  }
}
