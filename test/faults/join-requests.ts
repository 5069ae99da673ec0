import type { FuzzContext } from './fuzz-case.js'
import type { Request } from './mutations.js'
import type { Random } from './random.js'
import { randomHex, randomText } from './values.js'

/** Bytes of an invite secret (64 hex characters). */
const SECRET_BYTES = 32

/**
 * A `/resilien/join/1` request that is valid in form, for this cluster, with a secret of the
 * right shape that no invite has: the node must refuse it (the fuzzer never holds a live secret).
 */
export function joinRequest (rng: Random, ctx: FuzzContext): Request {
  const header = {
    op: 'join',
    cluster: rng.chance(0.9) ? ctx.cluster : randomHex(rng, 16),
    secret: randomHex(rng, SECRET_BYTES),
    name: `fz-${randomText(rng, rng.int(1, 12)).replace(/[^A-Za-z0-9]/g, 'x')}`,
    zone: randomText(rng, rng.int(0, 16)),
    addrs: Array.from({ length: rng.int(0, 3) }, () => `/ip4/127.0.0.${rng.int(1, 254)}/tcp/${rng.int(1, 65535)}`)
  }
  return { op: 'join', header, body: new Uint8Array(0) }
}
