import { loadBackend, availableBackends } from '@resilien/hashing'
import { chunkLengths } from '@resilien/chunking'
import { generateMasterKey, deriveRepoKeys, sealChunk, sealChunkInto, openChunk, SEAL_OVERHEAD } from '@resilien/crypto'
import { compressChunk, decompressChunk } from '@resilien/compression'
import { loadErasureBackend, splitIntoDataShards } from '@resilien/erasure'
import type { ErasureBackendName } from '@resilien/erasure'
import { measure } from '../measure.js'
import type { StageResult } from '../measure.js'
import { randomData, textData, slices } from '../data.js'

export interface StagesOptions {
  /** Bytes of generated input per stage (256 MiB by default, less with --quick). */
  size: number
  rounds: number
  /** Called with each result as soon as it is measured (progress on the terminal). */
  onResult?: (r: StageResult) => void
}

const KiB = 1024
const MiB = 1024 * KiB
const HASH_INPUT = 1 * MiB
const SEAL_CHUNK = 64 * KiB
const COMPRESS_CHUNK = 64 * KiB
const PACK_SIZE = 8 * MiB
const RS_LAYOUTS: ReadonlyArray<[number, number]> = [[2, 1], [4, 2], [8, 3]]

/** Per-stage throughput of the data path's building blocks, native and fallback side by side. */
export async function runStages (options: StagesOptions): Promise<StageResult[]> {
  const results: StageResult[] = []
  const add = (r: StageResult): void => {
    results.push(r)
    options.onResult?.(r)
  }
  const { size, rounds } = options
  const random = randomData(size)
  const text = textData(size)

  // BLAKE3 on 1 MiB inputs, each backend available here.
  const hashInputs = slices(random, HASH_INPUT)
  for (const name of await availableBackends()) {
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

  // Compression of 64 KiB chunks, text and random (the latter shows the "does not pay" skip).
  for (const [label, data] of [['text', text], ['random', random]] as const) {
    const inputs = slices(data, COMPRESS_CHUNK)
    let frames: Uint8Array[] = []
    add(await measure('compress', `${label}, 64 KiB chunks`, size, () => {
      frames = inputs.map((c) => compressChunk(c))
    }, { rounds }))
    const stored = frames.reduce((n, f) => n + f.byteLength, 0)
    const compressResult = results[results.length - 1]
    if (compressResult !== undefined) compressResult.extra = { ratio: (size / stored).toFixed(2) }
    add(await measure('decompress', `${label}, 64 KiB chunks`, size, () => {
      for (const f of frames) decompressChunk(f, 512 * KiB)
    }, { rounds }))
  }

  // Reed-Solomon on 8 MiB packs: encode, and reconstruct two lost data shards (one for m = 1).
  const packs = slices(random, PACK_SIZE).filter((p) => p.byteLength === PACK_SIZE)
  for (const backendName of ['native', 'portable'] as ErasureBackendName[]) {
    const backend = loadErasureBackend(backendName)
    if (backend === undefined) continue
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
  return results
}
