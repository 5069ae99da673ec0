import { readFileSync, writeFileSync } from 'node:fs'

/**
 * CPU and memory of another process, from Linux's /proc: the site node does the work of every
 * CLI command, so its figures are read from outside between phases.
 */

/** Linux reports CPU times in USER_HZ ticks; USER_HZ is 100 on every architecture we target. */
export const CLOCK_TICKS_PER_SECOND = 100

/** User + system CPU seconds the process has used so far. */
export function processCpuSeconds (pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'latin1')
  // Field 2 (the command) may hold spaces; the fixed fields start after its closing ')'.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
  const utime = Number(fields[11])
  const stime = Number(fields[12])
  return (utime + stime) / CLOCK_TICKS_PER_SECOND
}

function statusField (pid: number, name: string): number {
  const status = readFileSync(`/proc/${pid}/status`, 'latin1')
  const m = new RegExp(`^${name}:\\s+(\\d+) kB$`, 'm').exec(status)
  return m === null ? Number.NaN : Number(m[1]) * 1024
}

/** Peak resident set size (VmHWM) since the process started or since `resetPeakRss`. */
export function peakRssBytes (pid: number): number {
  return statusField(pid, 'VmHWM')
}

export function currentRssBytes (pid: number): number {
  return statusField(pid, 'VmRSS')
}

/** Resets VmHWM to the current RSS (writing 5 to clear_refs); false where that is not allowed. */
export function resetPeakRss (pid: number): boolean {
  try {
    writeFileSync(`/proc/${pid}/clear_refs`, '5')
    return true
  } catch {
    return false
  }
}

/**
 * Resident bytes of the process's file mappings whose path passes `test` (from smaps): how much
 * of its RSS is pages of those files (LevelDB maps its tables), which the kernel may drop at any
 * time without writing anything.
 */
export function mappedFileRssBytes (pid: number, test: (path: string) => boolean): number {
  let counting = false
  let kib = 0
  for (const line of readFileSync(`/proc/${pid}/smaps`, 'latin1').split('\n')) {
    const mapping = /^[0-9a-f]+-[0-9a-f]+ \S+ \S+ \S+ \S+\s*(.*)$/.exec(line)
    if (mapping !== null) {
      counting = test(mapping[1] as string)
      continue
    }
    const rss = /^Rss:\s+(\d+) kB$/.exec(line)
    if (rss !== null && counting) kib += Number(rss[1])
  }
  return kib * 1024
}
