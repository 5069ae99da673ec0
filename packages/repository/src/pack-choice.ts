import type { DataSubset, StripeRecord } from '@resilien/types'

/** Says, pack after pack in the order the catalog lists them, whether a check re-reads it. */
export type PackChoice = (stripe: StripeRecord) => boolean

/** The live packs: how many, and their lengths summed. */
export interface PackTotals {
  packs: number
  bytes: number
}

/**
 * The packs a check re-reads: all with `readData`, none without a subset, else the subset's:
 * - a share p of N packs: ceil(p * N) of them at random (at least one, as restic takes), by
 *   selection sampling (Knuth's algorithm S: with w packs still wanted of l still to come, a pack
 *   is taken with probability w / l), in one pass and without holding the list;
 * - group n of t: the packs whose id's first 32 bits are n - 1 modulo t. Pack ids are hashes,
 *   so the groups are about equal, and fixed: 1/t to t/t read every pack once between them
 *   (packs added meanwhile fall in some group too);
 * - a size: selection sampling by bytes (Knuth's algorithm S, weighted): with B bytes still
 *   wanted and T bytes of packs still to come, a pack of s bytes is taken with probability B / T,
 *   so the packs taken total about B whatever their order.
 * `totals` counts the live packs (a pass over the stripes), asked only for a share or a size.
 */
export async function packChoice (readData: boolean, subset: DataSubset | undefined, totals: () => Promise<PackTotals>): Promise<PackChoice> {
  if (readData) return () => true
  if (subset === undefined) return () => false
  switch (subset.kind) {
    case 'share': {
      const { packs } = await totals()
      return sampler(Math.ceil(subset.share * packs), packs, () => 1)
    }
    case 'group':
      return (stripe) => Number.parseInt(stripe.pack.slice(0, 8), 16) % subset.of === subset.n - 1
    case 'bytes':
      return sampler(subset.bytes, (await totals()).bytes, (stripe) => stripe.packLength)
  }
}

/**
 * Selection sampling (Knuth's algorithm S, weighted): with `wanted` still to take of `left` still
 * to come, a pack is taken with probability wanted / left, and its weight leaves both.
 */
function sampler (wanted: number, left: number, weight: (stripe: StripeRecord) => number): PackChoice {
  return (stripe) => {
    const take = wanted > 0 && left > 0 && Math.random() * left < wanted
    const w = weight(stripe)
    left -= w
    if (take) wanted -= w
    return take
  }
}
