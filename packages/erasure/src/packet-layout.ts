/**
 * How a shard body is cut into blocks of w packets. These numbers are part of the code's
 * definition, not tuning: @ronomon/reed-solomon derives the packet length from them and the
 * packet length decides which bytes meet in one XOR, so changing them changes the parity bytes.
 */

/** The native library halves packets until one block of all sources plus a target fits this. */
export const BLOCK_CACHE_BUDGET = 1_048_576

/** Packets are not halved at or below this length. */
export const MIN_HALVED_PACKET = 64

/**
 * Packet length for a body of `bodyLength` bytes (a multiple of 8, so of w): the body split in w
 * packets, halved while it is even, above MIN_HALVED_PACKET and the block overflows the budget.
 * The body is then a whole number of blocks of w packets.
 */
export function packetLength (w: number, k: number, bodyLength: number): number {
  let packet = bodyLength / w
  while (packet > MIN_HALVED_PACKET && packet % 2 === 0 && (1 + k * w) * packet > BLOCK_CACHE_BUDGET) packet /= 2
  return packet
}
