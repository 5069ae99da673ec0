import { currentRssBytes, peakRssBytes, processCpuSeconds } from '../process/proc-stats.js'
import { watchProcesses } from '../process/process-usage.js'
import type { RssSampler } from '../process/rss-sampler.js'
import { tcpDelta, tcpSnapshot } from '../process/socket-counters.js'
import type { TimedRun } from '../process/timed-run.js'
import type { NamedSite } from '../tools/resilien-cluster.js'
import type { ClusterStep } from './cluster-types.js'

/** The key of the CLI commands' figures in a step (beside the nodes' names). */
export const CLI = 'cli'

/** CPU seconds of a step, every process together (an unmeasured CLI counts 0). */
export function totalCpu (step: ClusterStep): number {
  return Object.values(step.cpuSeconds).reduce((n, x) => n + (Number.isNaN(x) ? 0 : x), 0)
}

/** The largest peak RSS of any node over the steps (the CLI left out). */
export function largestPeak (steps: readonly ClusterStep[]): number {
  return Math.max(...steps.flatMap((s) => Object.entries(s.peakRssBytes).filter(([k]) => k !== CLI).map(([, v]) => v)))
}

/** Per process, the sum of its CPU seconds over `steps`. */
export function cpuByProcess (steps: readonly ClusterStep[]): Record<string, number> {
  const out: Record<string, number> = {}
  for (const s of steps) for (const [k, v] of Object.entries(s.cpuSeconds)) out[k] = (out[k] ?? 0) + (Number.isNaN(v) ? 0 : v)
  return out
}

/** Per process, its largest peak RSS over `steps`. */
export function peakByProcess (steps: readonly ClusterStep[]): Record<string, number> {
  const out: Record<string, number> = {}
  for (const s of steps) for (const [k, v] of Object.entries(s.peakRssBytes)) if (!Number.isNaN(v)) out[k] = Math.max(out[k] ?? 0, v)
  return out
}

/** TCP bytes every node sent over `steps`; undefined where they were not counted. */
export function sentOver (steps: readonly ClusterStep[]): number | undefined {
  const counted = steps.filter((s) => s.sentBytes !== undefined)
  if (counted.length === 0) return undefined
  return counted.reduce((n, s) => n + Object.values(s.sentBytes ?? {}).reduce((a, b) => a + b, 0), 0)
}

export interface StepMeterOptions {
  /** Samples memory over time and hears each step's start (for the report and the progress line). */
  sampler?: RssSampler
  /** Reads the nodes' TCP counters around each step (the bytes sent between sites). */
  countTcp?: boolean
}

/**
 * Measures the steps of a cluster run: wall time, and the CPU and peak RSS of each running node in
 * `nodes` (from /proc) and of the CLI commands a step's value names (from GNU time); with the
 * options, the bytes the nodes sent and the memory over time. The readings are taken outside the
 * timed work.
 */
export class StepMeter {
  constructor (readonly steps: ClusterStep[] = [], private readonly o: StepMeterOptions = {}) {}

  async run<T> (name: string, nodes: readonly NamedSite[], work: () => Promise<T>,
    runsOf: (value: T) => readonly TimedRun[] = () => []): Promise<{ value: T, step: ClusterStep }> {
    const pids = Object.fromEntries(nodes.map((n) => [n.name, n.site.pid]))
    const tcpBefore = this.o.countTcp === true ? await tcpSnapshot(pids) : undefined
    this.o.sampler?.beginStep(name)
    const finish = watchProcesses(nodes.map((n) => n.site.pid))
    const t0 = performance.now()
    let value: T
    try {
      value = await work()
    } finally {
      this.o.sampler?.endStep()
    }
    const seconds = (performance.now() - t0) / 1000
    const usage = finish()
    const step: ClusterStep = { name, seconds, cpuSeconds: {}, peakRssBytes: {} }
    nodes.forEach((n, i) => {
      const u = usage[i]
      if (u === undefined) return
      step.cpuSeconds[n.name] = u.cpuSeconds
      step.peakRssBytes[n.name] = u.peakRssBytes
    })
    const runs = runsOf(value)
    if (runs.length > 0) {
      step.cpuSeconds[CLI] = runs.reduce((n, r) => n + r.cpuSeconds, 0)
      step.peakRssBytes[CLI] = Math.max(...runs.map((r) => r.maxRssBytes))
    }
    if (tcpBefore !== undefined) {
      const alive = nodes.filter((n) => n.site.running)
      const delta = tcpDelta(tcpBefore, await tcpSnapshot(Object.fromEntries(alive.map((n) => [n.name, n.site.pid]))))
      step.sentBytes = Object.fromEntries(Object.entries(delta).map(([k, v]) => [k, v.sentBytes]))
    }
    this.steps.push(step)
    return { value, step }
  }
}

/** Runs `work` as one step (see StepMeter.run, without memory timeline or TCP counters) and appends it to `steps`. */
export async function runStep<T> (steps: ClusterStep[], name: string, nodes: readonly NamedSite[], work: () => Promise<T>,
  runsOf: (value: T) => readonly TimedRun[] = () => []): Promise<{ value: T, step: ClusterStep }> {
  return new StepMeter(steps).run(name, nodes, work, runsOf)
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
