import { InvalidInputError } from '@resilien/types'
import { MAX_SHARDS, SHARD_ALIGNMENT } from './limits.js'

/**
 * Splits a sealed pack into k equal data shards (the last padded with zeros) and returns them with
 * the shard length; shards are plain slices (systematic), so a byte range of the pack maps to a
 * range of one data shard. The shard length is rounded up to SHARD_ALIGNMENT so the native library
 * codes the whole shard. Shards are views of `pack` when it fills them exactly, else of one
 * zero-padded copy; either way they lie back to back in memory, which the native backend encodes
 * without copying.
 */
export function splitIntoDataShards (pack: Uint8Array, k: number): { shards: Uint8Array[], shardLength: number } {
  if (!(pack instanceof Uint8Array)) throw new InvalidInputError('pack is not a Uint8Array')
  if (!Number.isInteger(k) || k < 1 || k > MAX_SHARDS) throw new InvalidInputError(`k must be an integer in 1..${MAX_SHARDS}, got ${k}`)
  const shardLength = roundUp(Math.ceil(pack.length / k), SHARD_ALIGNMENT)
  let block = pack
  if (pack.length !== k * shardLength) {
    block = new Uint8Array(k * shardLength)
    block.set(pack)
  }
  const shards = Array.from({ length: k }, (_, i) => block.subarray(i * shardLength, (i + 1) * shardLength))
  return { shards, shardLength }
}

/** The pieces of pack bytes [packOffset, packOffset + length) in data shards, in order. */
export function dataShardRange (packOffset: number, length: number, shardLength: number): Array<{ shard: number, offset: number, length: number }> {
  checkCount('packOffset', packOffset)
  checkCount('length', length)
  checkCount('shardLength', shardLength)
  if (length > 0 && shardLength === 0) throw new InvalidInputError('shardLength must be > 0 to hold any byte')
  const pieces: Array<{ shard: number, offset: number, length: number }> = []
  let at = packOffset
  const end = packOffset + length
  while (at < end) {
    const shard = Math.floor(at / shardLength)
    const offset = at - shard * shardLength
    const take = Math.min(shardLength - offset, end - at)
    pieces.push({ shard, offset, length: take })
    at += take
  }
  return pieces
}

/**
 * The first packLength bytes of the data shards laid end to end: the inverse of
 * splitIntoDataShards. Extra entries (parity after the k data shards) are ignored. Always a copy.
 */
export function joinDataShards (shards: readonly Uint8Array[], packLength: number): Uint8Array {
  checkCount('packLength', packLength)
  if (!Array.isArray(shards)) throw new InvalidInputError('shards is not an array')
  const pack = new Uint8Array(packLength)
  const shardLength = shards[0]?.length ?? 0
  let at = 0
  for (let i = 0; at < packLength; i++) {
    const shard = shards[i]
    if (!(shard instanceof Uint8Array)) {
      throw new InvalidInputError(`a pack of ${packLength} bytes needs data shard ${i}, which is ${i < shards.length ? 'not a Uint8Array' : 'absent'}`)
    }
    if (shard.length !== shardLength || shardLength === 0) {
      throw new InvalidInputError(`data shards must share one nonzero length: ${shardLength} and ${shard.length} (shard ${i})`)
    }
    const take = Math.min(shardLength, packLength - at)
    pack.set(shard.subarray(0, take), at)
    at += take
  }
  return pack
}

function roundUp (n: number, multiple: number): number {
  return Math.ceil(n / multiple) * multiple
}

function checkCount (name: string, value: number): void {
  if (!Number.isSafeInteger(value) || value < 0) throw new InvalidInputError(`${name} must be an integer >= 0, got ${value}`)
}
