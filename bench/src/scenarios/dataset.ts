import { existsSync, readdirSync } from 'node:fs'
import { resolve } from 'node:path'
import { advanceDay, generateDayZero } from '../dataset/index.js'

export interface DatasetScenarioOptions {
  target: string
  size: number
  seed: number
  filesScale: number
  /** Days of change applied after day 0. */
  days: number
  log: (line: string) => void
}

const MB = 1e6

/** Writes the generated data set to a folder that stays (for trying other tools on it). */
export function runDatasetScenario (o: DatasetScenarioOptions): void {
  const target = resolve(o.target)
  if (existsSync(target) && readdirSync(target).length > 0) throw new Error(`${target} is not empty`)
  let day = generateDayZero(target, { seed: o.seed, size: o.size, filesScale: o.filesScale })
  o.log(`day 0: ${day.tree.files} files, ${day.tree.dirs} folders, ${(day.tree.bytes / MB).toFixed(0)} MB in ${day.seconds.toFixed(1)} s`)
  for (let d = 1; d <= o.days; d++) {
    day = advanceDay(target, day.plan)
    o.log(`day ${d}: ${day.tree.files} files, ${(day.tree.bytes / MB).toFixed(0)} MB, ${(day.written / MB).toFixed(0)} MB written in ${day.seconds.toFixed(1)} s` +
      (day.summary === undefined ? '' : ` (${JSON.stringify(day.summary)})`))
  }
}
