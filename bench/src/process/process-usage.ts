import { currentRssBytes, peakRssBytes, processCpuSeconds, resetPeakRss } from './proc-stats.js'

/** What one process used between `watchProcesses` and its `finish()`. */
export interface ProcessUsage {
  cpuSeconds: number
  /** VmHWM since the start (reset at the start where Linux allows it). */
  peakRssBytes: number
  /** VmRSS at the start: what the process held before the work. */
  rssBeforeBytes: number
}

/**
 * Resets the peak RSS of each process and reads its CPU time; the returned function reads them
 * again and gives what each process used since, in the order of `pids`.
 */
export function watchProcesses (pids: readonly number[]): () => ProcessUsage[] {
  const before = pids.map((pid) => {
    const rssBeforeBytes = currentRssBytes(pid)
    resetPeakRss(pid)
    return { pid, rssBeforeBytes, cpu: processCpuSeconds(pid) }
  })
  return () => before.map((b) => ({
    cpuSeconds: processCpuSeconds(b.pid) - b.cpu,
    peakRssBytes: peakRssBytes(b.pid),
    rssBeforeBytes: b.rssBeforeBytes
  }))
}

export interface QuietOptions {
  /** Length of one CPU sample. */
  sampleMs: number
  /** The processes are quiet when, together, they used less than this share of one core in a sample. */
  busyShare: number
  /** Give up (and say so) after this long. */
  timeoutMs: number
}

/**
 * A node keeps working after the CLI command returns (shards to fsync, catalog to sync to the
 * other sites): waits until the processes' CPU use falls to idle. Returns the wall seconds waited
 * and whether they went quiet before the timeout.
 */
export async function waitForQuiet (pids: readonly number[], o: QuietOptions): Promise<{ seconds: number, quiet: boolean }> {
  const t0 = performance.now()
  const cpu = (): number => pids.reduce((n, pid) => n + processCpuSeconds(pid), 0)
  let last = cpu()
  while (performance.now() - t0 < o.timeoutMs) {
    await new Promise((resolve) => setTimeout(resolve, o.sampleMs))
    const now = cpu()
    const used = now - last
    last = now
    if (used < o.busyShare * o.sampleMs / 1000) return { seconds: (performance.now() - t0) / 1000, quiet: true }
  }
  return { seconds: (performance.now() - t0) / 1000, quiet: false }
}
