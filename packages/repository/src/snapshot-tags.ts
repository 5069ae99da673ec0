import { InvalidInputError, tagsOf } from '@resilien/types'
import type { Repository, SnapshotEntry } from './repository.js'
import { resolveSnapshots } from './repository.js'
import { newSnapshotId, sealSnapshot } from './snapshot-record.js'
import type { SnapshotRecord } from './snapshot-record.js'

/** How tags change: `set` replaces them all; otherwise `remove` then `add`. */
export interface TagChange {
  add?: readonly string[]
  remove?: readonly string[]
  set?: readonly string[]
}

/** A snapshot whose tags changed: its new id, and the id it had. */
export interface Retagged {
  from: string
  to: string
  tags: string[]
}

/** Snapshot facts appended per catalog call: a pair per snapshot, so that both land together. */
const PAIRS_PER_APPEND = 400

/** Tags as a snapshot record holds them: sorted, without duplicates or empty tags. */
export function normalTags (tags: readonly string[]): string[] {
  return [...new Set(tags.filter((t) => t !== ''))].sort()
}

/** The tags after a change, in normal form. */
export function changedTags (tags: readonly string[], change: TagChange): string[] {
  return normalTags(change.set !== undefined
    ? change.set
    : [...tagsOf({ tags }).filter((t) => !(change.remove ?? []).includes(t)), ...(change.add ?? [])])
}

export function checkTagChange (change: TagChange): void {
  const any = (list?: readonly string[]): boolean => list !== undefined && list.length > 0
  if (change.set === undefined && !any(change.add) && !any(change.remove)) {
    throw new InvalidInputError('say how the tags change: --add, --remove or --set')
  }
  if (change.set !== undefined && (any(change.add) || any(change.remove))) {
    throw new InvalidInputError('--set replaces all tags: give it alone, not with --add or --remove')
  }
  checkTags([...(change.add ?? []), ...(change.remove ?? []), ...(change.set ?? [])])
}

/** Tags a snapshot may carry: no commas (filters read `--tag a,b` as a list, as restic does). */
export function checkTags (tags: readonly string[]): void {
  for (const tag of tags) {
    if (tag.includes(',')) throw new InvalidInputError(`a tag cannot hold a comma ("${tag}"): snapshots --tag reads commas as lists`)
  }
}

/**
 * Changes the tags of the snapshots named, as restic's `tag` does: a record is sealed with its id,
 * so a snapshot with new tags is a new snapshot (same tree, time, host and paths; `original`
 * names the first id), and the old one is forgotten in the same catalog batch. A site that
 * misses the batch keeps the old snapshot, never neither. Every name is resolved before anything
 * is written; snapshots whose tags would not change are left as they are.
 */
export async function retagSnapshots (repo: Repository, refs: readonly string[], change: TagChange): Promise<{ changed: Retagged[], unchanged: number }> {
  checkTagChange(change)
  if (refs.length === 0) throw new InvalidInputError('name the snapshots to tag (ids, prefixes or "latest")')
  const named = new Map<string, SnapshotEntry>(resolveSnapshots(await repo.listSnapshots(), refs, repo.record.name).map((s) => [s.id, s]))
  const done: Retagged[] = []
  const facts = []
  for (const snapshot of named.values()) {
    const tags = changedTags(snapshot.record.tags, change)
    if (tags.join('\0') === [...snapshot.record.tags].sort().join('\0')) continue
    const record: SnapshotRecord = { ...snapshot.record, tags, original: snapshot.record.original ?? snapshot.id }
    const id = newSnapshotId()
    facts.push([
      { type: 'snapshot-added' as const, repo: repo.id, snapshot: id, sealed: sealSnapshot(repo.keys.metadataKey, repo.id, id, record) },
      { type: 'snapshot-forgotten' as const, repo: repo.id, snapshot: snapshot.id }
    ])
    done.push({ from: snapshot.id, to: id, tags })
  }
  for (let i = 0; i < facts.length; i += PAIRS_PER_APPEND) {
    await repo.components.catalog.append(facts.slice(i, i + PAIRS_PER_APPEND).flat())
  }
  return { changed: done, unchanged: named.size - done.length }
}
