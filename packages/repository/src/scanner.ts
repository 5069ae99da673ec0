import { lstatSync, readdirSync } from 'node:fs'
import { lstat, readdir } from 'node:fs/promises'
import { join } from 'node:path'
import { setImmediate as yieldToLoop } from 'node:timers/promises'
import type { Exclusion } from './exclude-rules.js'

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

/** Entries a blocking scan stats before it lets the thread's other work run (about a millisecond). */
const BLOCKING_SLICE = 256

export interface ScanOptions {
  signal?: AbortSignal
  /** What the backup leaves out: patterns, marked folders' contents, files over a size. */
  exclusion?: Exclusion
  /** With synchronous calls, a slice of entries at a time (for a seal worker: see startScan). */
  blocking?: boolean
  /** Not below a folder on another file system than the path it was reached from (backup --one-file-system). */
  oneFileSystem?: boolean
}

/** A path to count, with the file system of the backup path it was reached from (oneFileSystem). */
interface Pending {
  path: string
  device?: number
}

/**
 * Counts files and bytes under the backup paths while the backup runs, so progress can show a
 * total and an ETA (restic does the same). It only stats; errors are ignored (the backup itself
 * reports them). Stopped when the backup ends. `blocking`: with synchronous calls, a slice of
 * entries at a time (for a seal worker: a promise per lstat costs two thread wake-ups, and a
 * first backup of 10,000 small files spent more on them than on its own listings).
 */
export function startScan (paths: readonly string[], options: ScanOptions = {}): Scan {
  const { signal, exclusion = NO_EXCLUSION, blocking = false, oneFileSystem = false } = options
  const excluded = exclusion.path
  const totals: ScanTotals = { files: 0, bytes: 0, complete: false }
  let stopped = false
  const running = (): boolean => !stopped && signal?.aborted !== true
  /** Whether a folder at `device` is walked, and the device its entries are then held to. */
  const below = (pending: Pending, device: number): { walk: boolean, device?: number } =>
    !oneFileSystem ? { walk: true } : { walk: pending.device === undefined || pending.device === device, device: pending.device ?? device }
  if (blocking) {
    void (async () => {
      // Depth first, in no particular order: only the totals matter.
      const stack: Pending[] = paths.map((path) => ({ path }))
      while (stack.length > 0 && running()) {
        for (let n = 0; n < BLOCKING_SLICE && stack.length > 0; n++) {
          const pending = stack.pop() as Pending
          if (excluded(pending.path)) continue
          countSync(pending, totals, stack, below, exclusion)
        }
        await yieldToLoop()
      }
      totals.complete = stack.length === 0 && !stopped
    })()
    return { totals, stop: () => { stopped = true } }
  }
  const walk = async (pending: Pending): Promise<void> => {
    if (!running() || excluded(pending.path)) return
    const st = await lstat(pending.path).catch(() => undefined)
    if (st === undefined) return
    if (st.isFile()) {
      if (exclusion.tooLarge(st.size)) return
      totals.files++
      totals.bytes += st.size
    } else if (st.isDirectory()) {
      const next = below(pending, st.dev)
      if (!next.walk) return
      const names = kept(pending.path, await readdir(pending.path).catch(() => [] as string[]), exclusion)
      for (const name of names) await walk({ path: join(pending.path, name), ...(next.device === undefined ? {} : { device: next.device }) })
    }
  }
  void (async () => {
    for (const path of paths) await walk({ path })
    totals.complete = !stopped
  })()
  return { totals, stop: () => { stopped = true } }
}

/** Nothing excluded (a scan without a backup's rules). */
const NO_EXCLUSION: Exclusion = { path: () => false, tooLarge: () => false, marks: false, entries: (_dir, entries) => entries }

/** The names of a folder the backup walks (only a marker, in a marked folder). */
function kept (dir: string, names: string[], exclusion: Exclusion): string[] {
  if (!exclusion.marks) return names
  return exclusion.entries(Buffer.from(dir), names.map((name) => ({ name: Buffer.from(name) }))).map((e) => e.name.toString())
}

/** Counts `pending` if it is a file; pushes a folder's entries onto `stack`. */
function countSync (pending: Pending, totals: ScanTotals, stack: Pending[], below: (p: Pending, device: number) => { walk: boolean, device?: number }, exclusion: Exclusion): void {
  try {
    const st = lstatSync(pending.path)
    if (st.isFile()) {
      if (exclusion.tooLarge(st.size)) return
      totals.files++
      totals.bytes += st.size
    } else if (st.isDirectory()) {
      const next = below(pending, st.dev)
      if (!next.walk) return
      for (const name of kept(pending.path, readdirSync(pending.path), exclusion)) stack.push({ path: join(pending.path, name), ...(next.device === undefined ? {} : { device: next.device }) })
    }
  } catch {
    // Vanished or unreadable: the backup itself says so.
  }
}
