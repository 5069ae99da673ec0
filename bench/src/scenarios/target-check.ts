import type { TargetCheck } from './phase-types.js'

/** The memory target for a site node, whatever the data size and the cluster's size. */
export const NODE_PEAK_RSS_TARGET_BYTES = 150 * 1024 * 1024

/** resilien's figure against restic's: their ratio, and whether `met` holds for it (undecided without both). */
export function compare (name: string, ours: number | undefined, theirs: number | undefined, target: string, met: (ratio: number) => boolean): TargetCheck {
  if (ours === undefined || Number.isNaN(ours)) return { name, ours: Number.NaN, target, met: undefined }
  if (theirs === undefined || Number.isNaN(theirs) || theirs === 0) return { name, ours, target, met: undefined }
  const ratio = ours / theirs
  return { name, ours, theirs, ratio, target, met: met(ratio) }
}
