import type { FuzzContext } from './fuzz-case.js'
import { utf8 } from './frames.js'
import type { Header, Request } from './mutations.js'
import type { Random } from './random.js'
import { randomText, wrongValue } from './values.js'

/** A peer-id-shaped string no site has. */
function unknownSite (rng: Random): string {
  return `12D3KooW${randomText(rng, 44).replace(/[^A-Za-z1-9]/g, 'x')}`
}

/** Stands for a deeply nested value in an entry until the body is JSON text (stringify itself would overflow on it). */
const DEEP_MARK = '"@@deep@@"'
/** Nesting of that value: far past any recursion depth, well within a 4 MiB body. */
const DEEP_NESTING = [1000, 100_000] as const

/**
 * Entries for a push: a run of the node's own log (the node ingests nothing new), or that run
 * with one entry changed (a signature that no longer matches, a gap, a wrong type, a value
 * nested deeper than any recursive walk of it survives).
 */
function pushBody (rng: Random, ctx: FuzzContext): { body: Uint8Array, count: number, note?: string } {
  const start = rng.int(0, Math.max(0, ctx.entries.length - 1))
  const entries = ctx.entries.slice(start, start + rng.int(1, ctx.entries.length)).map((e) => structuredClone(e))
  if (entries.length === 0 || rng.chance(0.5)) return { body: utf8(JSON.stringify(entries)), count: entries.length }
  const entry = entries[rng.int(0, entries.length - 1)] as Header
  const keys = Object.keys(entry)
  const key = keys.length > 0 ? rng.pick(keys) : 'seq'
  const fact = entry.fact
  if (rng.chance(0.1)) {
    const depth = rng.int(DEEP_NESTING[0], DEEP_NESTING[1])
    if (typeof fact === 'object' && fact !== null && rng.chance(0.5)) (fact as Header)[rng.pick(Object.keys(fact))] = JSON.parse(DEEP_MARK)
    else entry[key] = JSON.parse(DEEP_MARK)
    const json = JSON.stringify(entries).replace(DEEP_MARK, `${'['.repeat(depth)}${']'.repeat(depth)}`)
    return { body: utf8(json), count: entries.length, note: `a value nested ${depth} deep` }
  }
  if (rng.chance(0.2)) entry[key] = undefined
  else if (typeof entry[key] === 'number') entry[key] = (entry[key] as number) + rng.int(-2, 5)
  else entry[key] = wrongValue(rng)
  return { body: utf8(JSON.stringify(entries)), count: entries.length, note: 'an entry changed' }
}

/** A valid `/resilien/catalog/1` request: heads, pull of a log (the node's, ours, none), push of entries. */
export function catalogRequest (rng: Random, ctx: FuzzContext): Request {
  const op = rng.pick(['heads', 'pull', 'push'])
  if (op === 'heads') return { op, header: { op }, body: new Uint8Array(0) }
  if (op === 'pull') {
    const site = rng.weighted([[6, ctx.nodePeer], [2, ctx.memberPeer], [2, unknownSite(rng)]] as const)
    const from = rng.chance(0.8) ? rng.int(1, ctx.entries.length + 2) : rng.int(1, 2 ** 31)
    return { op, header: { op, site, from }, body: new Uint8Array(0) }
  }
  const { body, count, note } = pushBody(rng, ctx)
  const request: Request = { op, header: { op, site: ctx.nodePeer, count, bytes: body.byteLength }, body }
  if (note !== undefined) request.note = note
  return request
}
