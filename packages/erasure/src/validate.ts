import { InvalidInputError, NotEnoughShardsError } from '@resilien/types'
import { MAX_SHARDS } from './limits.js'

/** k >= 1 data shards, m >= 0 parity shards, k + m <= MAX_SHARDS. */
export function checkCode (k: number, m: number): void {
  if (!Number.isInteger(k) || k < 1) throw new InvalidInputError(`k must be an integer >= 1, got ${k}`)
  if (!Number.isInteger(m) || m < 0) throw new InvalidInputError(`m must be an integer >= 0, got ${m}`)
  if (k + m > MAX_SHARDS) throw new InvalidInputError(`k + m must be at most ${MAX_SHARDS}, got ${k} + ${m}`)
}

/** Checks the k data shards of an encode call and returns their common length. */
export function checkData (k: number, m: number, data: readonly Uint8Array[]): number {
  checkCode(k, m)
  if (!Array.isArray(data) || data.length !== k) {
    throw new InvalidInputError(`expected ${k} data shards, got ${Array.isArray(data) ? data.length : typeof data}`)
  }
  return commonLength(data, false)
}

export interface StripeShape {
  /** Length of every present shard. */
  readonly length: number
  readonly present: readonly boolean[]
}

/** Checks the k + m slots of a reconstruct call: at least k present, all the same length. */
export function checkStripe (k: number, m: number, shards: ReadonlyArray<Uint8Array | undefined>): StripeShape {
  checkCode(k, m)
  if (!Array.isArray(shards) || shards.length !== k + m) {
    throw new InvalidInputError(`expected ${k + m} shard slots, got ${Array.isArray(shards) ? shards.length : typeof shards}`)
  }
  const present = Array.from(shards, (shard) => shard !== undefined)
  const length = commonLength(shards, true)
  const count = present.filter(Boolean).length
  if (count < k) throw new NotEnoughShardsError(k, count)
  return { length, present }
}

/** With `allowMissing`, undefined slots are missing shards and skipped. */
function commonLength (shards: readonly unknown[], allowMissing: boolean): number {
  let length: number | undefined
  // An indexed loop, not forEach: holes of a sparse array must count as missing, not vanish.
  for (let i = 0; i < shards.length; i++) {
    const shard = shards[i]
    if (shard === undefined && allowMissing) continue
    if (!(shard instanceof Uint8Array)) throw new InvalidInputError(`shard ${i} is not a Uint8Array`)
    length ??= shard.length
    if (shard.length !== length) {
      throw new InvalidInputError(`shards differ in length: ${length} and ${shard.length} (shard ${i})`)
    }
  }
  return length ?? 0
}
