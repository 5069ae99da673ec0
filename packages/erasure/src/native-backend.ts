import { createRequire } from 'node:module'
import { nativeSupports } from './code-parameters.js'
import { alignedBodyLength, combineBytes } from './combine.js'
import { planDecode } from './decode-plan.js'
import { erasureCode } from './erasure-code.js'
import type { ErasureCode } from './erasure-code.js'
import type { ErasureBackend } from './erasure-backend.js'
import { encodeParity, rebuild } from './portable-backend.js'
import { ScratchPool } from './scratch-pool.js'
import { checkData, checkStripe } from './validate.js'
import { bitMatrixEntry } from './xor-schedule.js'

/** The part of @ronomon/reed-solomon 6 used here (its binding.node, N-API, no JS wrapper). */
interface RonomonBinding {
  create (k: number, m: number): Buffer
  encode (
    context: Buffer, sources: number, targets: number,
    buffer: Buffer, bufferOffset: number, bufferSize: number,
    parity: Buffer, parityOffset: number, paritySize: number,
    end: (error?: Error) => void
  ): void
}

/** The binding takes buffer sizes as uint32 and aborts the process on larger buffers. */
const NATIVE_MAX_BUFFER = 0xffff_ffff

/** Context header: w, k, m, then the parity bit matrix. */
const CONTEXT_HEADER = 3

/** Why the binding did not load, for the message when RESILIEN_ERASURE=native is forced. */
export let nativeLoadError: unknown

/** The binding, or undefined where it is missing or fails to load (e.g. no compiler on ARM). */
export function loadBinding (): RonomonBinding | undefined {
  try {
    const binding = createRequire(import.meta.url)('@ronomon/reed-solomon') as Partial<RonomonBinding>
    if (typeof binding.create !== 'function' || typeof binding.encode !== 'function') {
      throw new Error('@ronomon/reed-solomon exports no create/encode')
    }
    return binding as RonomonBinding
  } catch (err) {
    nativeLoadError = err
    return undefined
  }
}

/** The native backend, or undefined when the binding does not load. */
export function createNativeBackend (): ErasureBackend | undefined {
  const loaded = loadBinding()
  if (loaded === undefined) return undefined
  const binding: RonomonBinding = loaded
  const contexts = new Map<number, Buffer | null>()
  const scratch = new ScratchPool()

  /**
   * The native context of (k, m), or undefined where the native library must not be used: a
   * (k, m) it does not take, or a context whose bit matrix differs from ours (another version of
   * the library), which would write parity the portable code could not rebuild.
   */
  function context (code: ErasureCode, body: number): Buffer | undefined {
    if (!nativeSupports(code.k, code.m) || body === 0 || Math.max(code.k, code.m) * body > NATIVE_MAX_BUFFER) return undefined
    const key = code.k * 256 + code.m
    let ctx = contexts.get(key)
    if (ctx === undefined) {
      const created = binding.create(code.k, code.m)
      ctx = sameBitMatrix(code, created) ? created : null
      contexts.set(key, ctx)
    }
    return ctx ?? undefined
  }

  function run (ctx: Buffer, sources: number, targets: number, data: Uint8Array, parity: Uint8Array): Promise<void> {
    return new Promise((resolve, reject) => {
      binding.encode(ctx, sources, targets, asBuffer(data), 0, data.length, asBuffer(parity), 0, parity.length, (error) => {
        if (error === undefined || error === null) resolve()
        else reject(error)
      })
    })
  }

  return {
    name: 'native',
    async encode (k, m, data) {
      const length = checkData(k, m, data)
      const code = erasureCode(k, m)
      const body = alignedBodyLength(length)
      const ctx = context(code, body)
      if (ctx === undefined) return encodeParity(code, data, length)
      const inPlace = inPlaceBlock(data, length, body)
      const staging = inPlace === undefined ? scratch.take(k * body) : undefined
      const dataBlock = inPlace ?? gather(data, body, staging as Uint8Array)
      const parityBlock = new Uint8Array(m * body)
      try {
        await run(ctx, maskOf(0, k), maskOf(k, k + m), dataBlock, parityBlock)
      } finally {
        if (staging !== undefined) scratch.give(staging)
      }
      const parity = code.parityRows.map((_, j) => {
        const bytes = parityBlock.subarray(j * body, (j + 1) * body)
        return length === body ? bytes : copyInto(new Uint8Array(length), bytes)
      })
      if (body < length) combineBytes(code.field, code.parityRows, data, parity, body, length)
      return parity
    },

    async reconstruct (k, m, shards) {
      const { length, present } = checkStripe(k, m, shards)
      if (present.every(Boolean)) return Array.from(shards) as Uint8Array[]
      const code = erasureCode(k, m)
      const body = alignedBodyLength(length)
      const ctx = context(code, body)
      if (ctx === undefined) return rebuild(code, shards, length, present)
      const staging = scratch.take((k + m) * body)
      const dataBlock = staging.subarray(0, k * body)
      const parityBlock = staging.subarray(k * body, (k + m) * body)
      let sources = 0
      let targets = 0
      present.forEach((here, i) => {
        if (here) {
          sources |= 1 << i
          staging.set((shards[i] as Uint8Array).subarray(0, body), i * body)
        } else {
          targets |= 1 << i
        }
      })
      let out: Uint8Array[]
      try {
        await run(ctx, sources, targets, dataBlock, parityBlock)
        // Copied out: the staging block goes back to the pool.
        out = present.map((here, i) =>
          here ? shards[i] as Uint8Array : copyInto(new Uint8Array(length), staging.subarray(i * body, (i + 1) * body)))
      } finally {
        scratch.give(staging)
      }
      if (body < length) rebuildTails(code, out, present, body, length)
      return out
    }
  }
}

/** The data shards as one block of k bodies when they already lie so in memory (from a split). */
function inPlaceBlock (data: readonly Uint8Array[], length: number, body: number): Uint8Array | undefined {
  const first = data[0] as Uint8Array
  const inPlace = length === body && data.every((shard, i) =>
    shard.buffer === first.buffer && shard.byteOffset === first.byteOffset + i * length)
  return inPlace ? new Uint8Array(first.buffer, first.byteOffset, data.length * length) : undefined
}

/** The bodies of the shards copied back to back into the front of `block`. */
function gather (shards: readonly Uint8Array[], body: number, block: Uint8Array): Uint8Array {
  shards.forEach((shard, i) => block.set(shard.subarray(0, body), i * body))
  return block.subarray(0, shards.length * body)
}

function copyInto (target: Uint8Array, bytes: Uint8Array): Uint8Array {
  target.set(bytes)
  return target
}

/** The unaligned tails the native library does not see, rebuilt byte by byte in place. */
function rebuildTails (code: ErasureCode, out: Uint8Array[], present: readonly boolean[], body: number, length: number): void {
  const { k } = code
  const plan = planDecode(code, present)
  const sources = plan.sources.map((i) => out[i] as Uint8Array)
  combineBytes(code.field, plan.dataRows, sources, plan.missingData.map((i) => out[i] as Uint8Array), body, length)
  const rows = plan.missingParity.map((i) => code.parityRows[i - k] as Uint8Array)
  combineBytes(code.field, rows, out.slice(0, k), plan.missingParity.map((i) => out[i] as Uint8Array), body, length)
}

/** True when the native context holds exactly the bit matrix of our parity rows. */
export function sameBitMatrix (code: ErasureCode, ctx: Buffer): boolean {
  const { k, m, field } = code
  const w = field.w
  if (ctx.length !== CONTEXT_HEADER + k * w * m * w || ctx[0] !== w || ctx[1] !== k || ctx[2] !== m) return false
  for (let r = 0; r < m; r++) {
    const row = code.parityRows[r] as Uint8Array
    for (let t = 0; t < w; t++) {
      for (let c = 0; c < k; c++) {
        for (let p = 0; p < w; p++) {
          const bit = ctx[CONTEXT_HEADER + r * w * k * w + t * k * w + c * w + p]
          if ((bit === 1) !== bitMatrixEntry(field, row[c] as number, t, p)) return false
        }
      }
    }
  }
  return true
}

/** Bits from..to-1 set: the shard flags of the native API. */
function maskOf (from: number, to: number): number {
  let mask = 0
  for (let i = from; i < to; i++) mask |= 1 << i
  return mask
}

function asBuffer (bytes: Uint8Array): Buffer {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)
}
