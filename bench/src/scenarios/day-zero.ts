import { join } from 'node:path'
import { datasetOptions, generateDayZero, syncTree, treeStats } from '../dataset/index.js'
import type { DatasetOptions, DatasetPlan } from '../dataset/index.js'
import type { DatasetInfo } from './phase-types.js'

export interface DayZeroOptions {
  /** Day 0's size in bytes (generator only). */
  size: number
  seed: number
  filesScale: number
  /** Use this tree as day 0 instead of the generator. */
  corpus?: string
  log: (line: string) => void
}

export interface DayZero {
  /** The tree every tool backs up: `root`/src. */
  src: string
  dsOptions: DatasetOptions
  /** The generator's plan (to make the next day from); undefined for a corpus. */
  plan: DatasetPlan | undefined
  /** What the report says of it. */
  dataset: DatasetInfo
}

const MB = 1e6

/** Writes day 0 into `root`/src: generated, or a size+mtime copy of the corpus. */
export function prepareDayZero (root: string, o: DayZeroOptions): DayZero {
  const src = join(root, 'src')
  const dsOptions = datasetOptions({ seed: o.seed, size: o.size, filesScale: o.filesScale })
  o.log(o.corpus === undefined
    ? `generating day 0 (${(o.size / 2 ** 20).toFixed(0)} MiB, seed ${o.seed}, files x${o.filesScale}) in ${src}`
    : `copying corpus ${o.corpus} to ${src}`)
  const t0 = performance.now()
  let plan: DatasetPlan | undefined
  if (o.corpus === undefined) plan = generateDayZero(src, dsOptions).plan
  else syncTree(o.corpus, src)
  const day0 = { ...treeStats(src), generateSeconds: (performance.now() - t0) / 1000 }
  o.log(`  ${day0.files} files, ${day0.dirs} folders, ${(day0.bytes / MB).toFixed(0)} MB in ${day0.generateSeconds.toFixed(1)} s`)
  return { src, dsOptions, plan, dataset: { source: o.corpus ?? 'generator', seed: o.seed, filesScale: o.filesScale, day0 } }
}
