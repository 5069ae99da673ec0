import { currentRssBytes, peakRssBytes, processCpuSeconds } from '../process/proc-stats.js'
import { watchProcesses } from '../process/process-usage.js'
import type { TimedRun } from '../process/timed-run.js'
import type { NamedSite } from '../tools/resilien-cluster.js'
import type { ClusterStep } from './cluster-types.js'

/** CPU seconds of a step, every process together (an unmeasured CLI counts 0). */
export function totalCpu (step: ClusterStep): number {
  return Object.values(step.cpuSeconds).reduce((n, x) => n + (Number.isNaN(x) ? 0 : x), 0)
}

/** The largest peak RSS of any node over the steps. */
export function largestPeak (steps: readonly ClusterStep[]): number {
  return Math.max(...steps.flatMap((s) => Object.values(s.peakRssBytes)))
}

/**
 * Runs `work` as one step: wall time, and the CPU and peak RSS of each running node in `nodes`
 * (from /proc) and of the CLI commands `runsOf` names (from GNU time).
 */
export async function runStep<T> (steps: ClusterStep[], name: string, nodes: readonly NamedSite[], work: () => Promise<T>,
  runsOf: (value: T) => readonly TimedRun[] = () => []): Promise<{ value: T, step: ClusterStep }> {
  const t0 = performance.now()
  const finish = watchProcesses(nodes.map((n) => n.site.pid))
  const value = await work()
  const usage = finish()
  const step: ClusterStep = { name, seconds: (performance.now() - t0) / 1000, cpuSeconds: {}, peakRssBytes: {} }
  nodes.forEach((n, i) => {
    const u = usage[i]
    if (u === undefined) return
    step.cpuSeconds[n.name] = u.cpuSeconds
    step.peakRssBytes[n.name] = u.peakRssBytes
  })
  const runs = runsOf(value)
  if (runs.length > 0) step.cpuSeconds.cli = runs.reduce((n, r) => n + r.cpuSeconds, 0)
  steps.push(step)
  return { value, step }
}

/** A step the nodes ran from their start (`seconds` long): their whole CPU time and VmHWM so far. */
export function sinceStartStep (name: string, seconds: number, nodes: readonly NamedSite[]): ClusterStep {
  return {
    name,
    seconds,
    cpuSeconds: Object.fromEntries(nodes.map((s) => [s.name, processCpuSeconds(s.site.pid)])),
    peakRssBytes: Object.fromEntries(nodes.map((s) => [s.name, peakRssBytes(s.site.pid)]))
  }
}

/** Each node's resident memory now (VmRSS), by name. */
export function currentRssOf (nodes: readonly NamedSite[]): Record<string, number> {
  return Object.fromEntries(nodes.map((s) => [s.name, currentRssBytes(s.site.pid)]))
}
