import { tagsOf } from '@resilien/types'

/**
 * restic's snapshot selection, shared by `snapshots` (on the CLI) and `forget` (on the node):
 * any of the hosts; all tags of one list, any of the lists; every path given among the
 * snapshot's paths. An empty criterion selects everything. Paths must be absolute already: the
 * CLI resolves them against its own working directory before they travel.
 */
export interface SnapshotSelection {
  hosts?: string[]
  /** Each list: tags a snapshot must all have; a snapshot matching any list is selected. */
  tagLists?: string[][]
  paths?: string[]
}

/** What selection looks at in a snapshot. */
export interface SelectableSnapshot {
  host: string
  tags: readonly string[]
  paths: readonly string[]
}

export function isSelected (s: SelectableSnapshot, selection: SnapshotSelection): boolean {
  const { hosts = [], tagLists = [], paths = [] } = selection
  const tags = tagLists.length === 0 ? [] : tagsOf(s)
  return (hosts.length === 0 || hosts.includes(s.host)) &&
    (tagLists.length === 0 || tagLists.some((list) => list.every((t) => tags.includes(t)))) &&
    paths.every((p) => s.paths.includes(p))
}

/** True when the selection narrows anything down. */
export function selectsSome (selection: SnapshotSelection): boolean {
  return (selection.hosts?.length ?? 0) + (selection.tagLists?.length ?? 0) + (selection.paths?.length ?? 0) > 0
}
