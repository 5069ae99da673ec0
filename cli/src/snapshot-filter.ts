import { isSelected } from '@resilien/control'
import type { SelectableSnapshot, SnapshotSelection } from '@resilien/control'
import { compareText, splitTags } from '@resilien/types'
import { userPath } from './user-path.js'

/** The selection options as commander collects them (`snapshots`, `forget`). */
export interface SnapshotFilterOptions {
  host: string[]
  tag: string[]
  path: string[]
}

/** `--tag a,b` is one list of tags a snapshot must all have; paths become absolute here, on the CLI. */
export function selectionOf (options: SnapshotFilterOptions): SnapshotSelection {
  const selection: SnapshotSelection = {}
  if (options.host.length > 0) selection.hosts = options.host
  if (options.tag.length > 0) selection.tagLists = options.tag.map(splitTags)
  if (options.path.length > 0) selection.paths = options.path.map((p) => userPath(p, '--path'))
  return selection
}

/**
 * The `n` newest snapshots of each series (host and paths, as forget groups them), in the order
 * they came (oldest first).
 */
export function latestPerSeries<T extends SelectableSnapshot & { time: string }> (snapshots: readonly T[], n: number): T[] {
  const series = new Map<string, T[]>()
  for (const s of snapshots) {
    const key = JSON.stringify([s.host, [...s.paths].sort()])
    const list = series.get(key)
    if (list === undefined) series.set(key, [s])
    else list.push(s)
  }
  const kept = new Set<T>()
  for (const list of series.values()) {
    for (const s of [...list].sort((a, b) => compareText(b.time, a.time)).slice(0, n)) kept.add(s)
  }
  return snapshots.filter((s) => kept.has(s))
}

export function filterSnapshots<T extends SelectableSnapshot> (snapshots: readonly T[], options: SnapshotFilterOptions): T[] {
  const selection = selectionOf(options)
  return snapshots.filter((s) => isSelected(s, selection))
}
