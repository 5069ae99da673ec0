import { randomFillSync } from 'node:crypto'

/** Distinct random blocks the shards are cut from: more than the writes in flight, few enough to stay small. */
const POOL_BLOCKS = 8
/** The first bytes of a shard hold its run and index, so that every shard of every run is new to a store. */
const HEADER_BYTES = 8

/**
 * Incompressible shards of one size, made on demand and all distinct: shard (run, index) is a
 * pooled random block with run and index written over its first bytes. The same (run, index)
 * gives the same bytes, so ids can be computed ahead and the bytes made again when sent.
 */
export class ShardMaker {
  readonly #pool: Buffer[]

  constructor (readonly size: number) {
    if (size < HEADER_BYTES) throw new RangeError(`a bench shard has at least ${HEADER_BYTES} bytes`)
    this.#pool = Array.from({ length: POOL_BLOCKS }, () => randomFillSync(Buffer.allocUnsafe(size)))
  }

  bytes (run: number, index: number): Buffer {
    const out = Buffer.allocUnsafe(this.size)
    ;(this.#pool[index % this.#pool.length] as Buffer).copy(out)
    out.writeUInt32LE(run, 0)
    out.writeUInt32LE(index, 4)
    return out
  }
}
