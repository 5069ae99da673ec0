/**
 * The gear hash is 32 bits (JS bitwise operators work on int32). Bit 31 is never tested: the
 * two-bytes-per-step loop holds the hash shifted left by one between its two halves, which
 * pushes bit 31 out, so masks may only use bits 0..30.
 */
export const GEAR_MASK_BITS = 31

/**
 * A cut mask with `ones` bits set, packed right below bit 31. High bits are used because bit p of
 * a gear hash depends on the last p + 1 bytes: the lowest mask bit then still sees
 * 32 - ones bytes and the highest 31, so a cut depends on a window of 31 bytes.
 */
export function cutMask (ones: number): number {
  if (ones < 1 || ones > GEAR_MASK_BITS) throw new RangeError(`a cut mask needs 1 to ${GEAR_MASK_BITS} bits, got ${ones}`)
  const low = GEAR_MASK_BITS - ones
  return (((2 ** ones) - 1) * (2 ** low)) | 0
}
