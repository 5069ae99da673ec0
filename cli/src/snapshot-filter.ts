import { resolve } from 'node:path'
import type { SnapshotSummary } from '@resilien/control'

/**
 * restic's snapshot selection: `--host` (any of them), `--tag a,b` (all tags of one list; any of
 * the lists when repeated) and `--path` (each path given must be one of the snapshot's paths,
 * compared as absolute paths).
 */
export interface SnapshotFilter {
  host: string[]
  tag: string[]
  path: string[]
}

export function filterSnapshots (snapshots: readonly SnapshotSummary[], filter: SnapshotFilter): SnapshotSummary[] {
  const tagLists = filter.tag.map((list) => list.split(',').map((t) => t.trim()).filter((t) => t !== ''))
  const paths = filter.path.map((p) => resolve(p))
  return snapshots.filter((s) =>
    (filter.host.length === 0 || filter.host.includes(s.host)) &&
    (tagLists.length === 0 || tagLists.some((list) => list.every((t) => s.tags.includes(t)))) &&
    paths.every((p) => s.paths.includes(p)))
}
