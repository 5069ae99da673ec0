import { fromHex } from '@resilien/types'
import type { FuzzContext } from './fuzz-case.js'
import { concat } from './frames.js'
import type { Request } from './mutations.js'
import type { Random } from './random.js'
import { randomHex } from './values.js'

const KiB = 1024
/** Bytes of an id in a has body. */
const ID_BYTES = 32
/** Most puts are small (cases stay fast); a few are big enough to cross several stream chunks. */
const SMALL_PUT_BYTES = 8 * KiB
const LARGE_PUT_BYTES = 512 * KiB
const MAX_HAS_IDS = 4096

/** A valid `/resilien/shard/1` request: put (its id often matching its bytes), get (whole or a range), has. */
export function shardRequest (rng: Random, ctx: FuzzContext): Request {
  const op = rng.pick(['put', 'get', 'has'])
  if (op === 'put') {
    const body = rng.bytes(rng.chance(0.95) ? rng.int(1, SMALL_PUT_BYTES) : rng.int(1, LARGE_PUT_BYTES))
    const id = rng.chance(0.7) ? ctx.shardIdOf(body) : randomHex(rng, ID_BYTES)
    return { op, header: { op, id, size: body.byteLength }, body }
  }
  if (op === 'get') {
    const id = rng.chance(0.5) ? ctx.shardId : randomHex(rng, ID_BYTES)
    if (rng.chance(0.6)) return { op, header: { op, id }, body: new Uint8Array(0) }
    const offset = rng.int(0, ctx.shardSize)
    return { op, header: { op, id, offset, length: rng.int(0, ctx.shardSize - offset) }, body: new Uint8Array(0) }
  }
  const count = rng.chance(0.97) ? rng.size(64) + 1 : rng.int(1, MAX_HAS_IDS)
  const ids = Array.from({ length: count }, () => rng.chance(0.2) ? fromHex(ctx.shardId) : rng.bytes(ID_BYTES))
  return { op, header: { op, count }, body: concat(...ids) }
}
