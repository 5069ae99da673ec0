/**
 * What a chunk frame's first byte says about its payload. The id byte of each algorithm is stable
 * API: frames stored today must decode in ten years, so an id is never reused or renumbered.
 */
export type CompressionAlgorithm = 'none' | 'zstd'

/** The header byte of each algorithm. `none`: the payload is the plain chunk as is. */
export const ALGORITHM_IDS: Readonly<Record<CompressionAlgorithm, number>> = Object.freeze({
  none: 0,
  zstd: 1
})

/** The algorithm behind a header byte, or undefined for an id no version of us has written. */
export function algorithmOfId (id: number): CompressionAlgorithm | undefined {
  if (id === ALGORITHM_IDS.none) return 'none'
  if (id === ALGORITHM_IDS.zstd) return 'zstd'
  return undefined
}
