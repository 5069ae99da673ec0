import { lstat, readdir } from 'node:fs/promises'
import { join } from 'node:path'
import type { ExcludeMatcher } from './exclude.js'

export interface ScanTotals {
  files: number
  bytes: number
  /** True once the whole tree was counted. */
  complete: boolean
}

export interface Scan {
  /** Totals so far; the backup's progress uses them for an ETA. */
  readonly totals: ScanTotals
  stop (): void
}

/**
 * Counts files and bytes under the backup paths while the backup runs, so progress can show a
 * total and an ETA (restic does the same). It only stats; errors are ignored (the backup itself
 * reports them). Stopped when the backup ends.
 */
export function startScan (paths: readonly string[], signal?: AbortSignal, excluded: ExcludeMatcher = () => false): Scan {
  const totals: ScanTotals = { files: 0, bytes: 0, complete: false }
  let stopped = false
  const walk = async (path: string): Promise<void> => {
    if (stopped || signal?.aborted === true || excluded(path)) return
    const st = await lstat(path).catch(() => undefined)
    if (st === undefined) return
    if (st.isFile()) {
      totals.files++
      totals.bytes += st.size
    } else if (st.isDirectory()) {
      const names = await readdir(path).catch(() => [] as string[])
      for (const name of names) await walk(join(path, name))
    }
  }
  void (async () => {
    for (const p of paths) await walk(p)
    totals.complete = !stopped
  })()
  return { totals, stop: () => { stopped = true } }
}
