import { rm } from 'node:fs/promises'
import { join } from 'node:path'
import { compareTrees, waitFor } from '../../src/index.js'
import type { RunResult, Site } from '../../src/index.js'

/** The repository every crash suite backs up into. */
export const REPO = 'main'
/**
 * A check that is not clean at once is retried this long before it counts as a broken store:
 * one that cleans up by itself (a replication catching up) is reported, one that stays unclean
 * is the defect the suite looks for.
 */
export const CHECK_SETTLE_MS = 60_000
/** Every command a suite runs may take this long on a loaded machine before it counts as hung. */
export const COMMAND_TIMEOUT_MS = 10 * 60_000

export interface SnapshotJson {
  id: string
  time: string
  tags: string[]
  degraded: boolean
}

/** `resilien ARGS` on `site` that must succeed; the error carries its output. */
export async function mustRun (site: Site, args: readonly string[]): Promise<RunResult> {
  const r = await site.run(args, { timeoutMs: COMMAND_TIMEOUT_MS })
  if (r.code !== 0) throw new Error(`${args.join(' ')} on ${site.name} exited ${r.code}: ${(r.stderr + r.stdout).trim().slice(-2000)}`)
  return r
}

export async function snapshotsOn (site: Site): Promise<SnapshotJson[]> {
  return JSON.parse((await mustRun(site, ['snapshots', REPO, '--json'])).stdout) as SnapshotJson[]
}

/** The ids in `wanted` that `site` does not list. */
export async function missingOn (site: Site, wanted: Iterable<string>): Promise<string[]> {
  const listed = new Set((await snapshotsOn(site)).map((s) => s.id))
  return [...wanted].filter((id) => !listed.has(id))
}

/** `check main --read-data` on `site` until clean; returns how long it took to become clean (0: clean at once). */
export async function checkSettles (site: Site): Promise<number> {
  const started = performance.now()
  const first = await site.run(['check', REPO, '--read-data'], { timeoutMs: COMMAND_TIMEOUT_MS })
  if (first.code === 0) return 0
  const firstOutput = (first.stdout + first.stderr).trim()
  try {
    await waitFor(`check --read-data on ${site.name} to be clean`, async () => await site.run(['check', REPO, '--read-data'], { timeoutMs: COMMAND_TIMEOUT_MS }),
      (r) => r.code === 0, CHECK_SETTLE_MS)
  } catch (err) {
    throw new Error(`check --read-data on ${site.name} stayed unclean for ${CHECK_SETTLE_MS / 1000} s; first run:\n${firstOutput.slice(-3000)}\n${(err as Error).message.slice(-3000)}`)
  }
  return performance.now() - started
}

/** Restores `snapshot` of `source` on `site` and compares it with `expected` (a copy of the source as it was). */
export async function restoreEquals (site: Site, snapshot: string, source: string, expected: string, work: string): Promise<void> {
  const target = join(work, `restore-${site.name}-${snapshot.slice(0, 8)}`)
  await mustRun(site, ['restore', REPO, snapshot, '--target', target])
  try {
    const diffs = await compareTrees(expected, join(target, source))
    if (diffs.length > 0) throw new Error(`snapshot ${snapshot} restored on ${site.name} differs from its source: ${JSON.stringify(diffs.slice(0, 10))}${diffs.length > 10 ? ` and ${diffs.length - 10} more` : ''}`)
  } finally {
    await rm(target, { recursive: true, force: true })
  }
}

/** Starts `site`'s node again; returns how long it took to say it is up. */
export async function restart (site: Site): Promise<number> {
  const started = performance.now()
  await site.start()
  return performance.now() - started
}

/** The last `count` non-empty lines of `site`'s log from character `from` on. */
export function logLines (site: Site, from: number, count: number): string[] {
  return site.log.slice(from).split('\n').filter((l) => l.trim() !== '').slice(-count)
}
