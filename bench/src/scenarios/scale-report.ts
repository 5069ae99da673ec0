import type { Chart, ReportSection } from '../html-report/sections.js'
import type { MachineInfo } from '../machine.js'
import { CLI } from './cluster-step.js'
import { isDataStep } from './cluster-targets.js'
import { CLUSTER_PHASES, PHASE_LABEL } from './cluster-types.js'
import type { ClusterPhase, ClusterResult } from './cluster-types.js'
import { memoryChart } from './memory-chart.js'
import { num } from './report-table.js'
import type { Row } from './report-table.js'
import type { ScaleResult } from './scale.js'

const MiB = 1024 * 1024
const GB = 1e9

/** The largest peak RSS of each node over the data steps of a run. */
function nodePeaks (r: ClusterResult): Record<string, number> {
  const out: Record<string, number> = {}
  for (const step of r.steps.filter((s) => isDataStep(s.name))) {
    for (const [name, v] of Object.entries(step.peakRssBytes)) if (name !== CLI && !Number.isNaN(v)) out[name] = Math.max(out[name] ?? 0, v)
  }
  return out
}

function largest (r: ClusterResult): number {
  return Math.max(0, ...Object.values(nodePeaks(r)))
}

function cpuPerGb (r: ClusterResult, phase: ClusterPhase): number | undefined {
  const f = r.resilien[phase]
  return f === undefined ? undefined : f.cpuSeconds / (f.sourceBytes / GB)
}

function ratio (a: number | undefined, b: number | undefined): string {
  return a === undefined || b === undefined || b === 0 ? '-' : num(a / b, 2)
}

/** The scale scenario's report: time, memory and their growth against 1x; charts in HTML. */
export function scaleSections (s: ScaleResult, m: MachineInfo, quick: boolean): ReportSection[] {
  const phases = CLUSTER_PHASES
  const time: Row[] = [['run', 'files', 'MB', ...phases.map((p) => PHASE_LABEL[p])]]
  const speed: Row[] = [['run', ...phases.map((p) => PHASE_LABEL[p])]]
  const memory: Row[] = [['run', 'peak RSS MiB per node (data steps)', 'largest', 'CLI peak MiB', 'CPU s/GB first backup', 'CPU s/GB restore, killed']]
  const growth: Row[] = [['run', 'data x', 'files x', 'first backup time x', 'next-day time x', 'restore time x', 'largest node peak x']]
  const base = s.runs[0]?.result
  for (const run of s.runs) {
    const r = run.result
    const d = r.dataset.day0
    time.push([run.label, String(d.files), num(d.bytes / 1e6, 0), ...phases.map((p) => num(r.resilien[p]?.seconds, 1))])
    speed.push([run.label, ...phases.map((p) => num(r.resilien[p]?.mbPerSecond, 0))])
    const peaks = nodePeaks(r)
    const cliPeak = Math.max(0, ...r.steps.map((st) => st.peakRssBytes[CLI] ?? 0).filter((x) => !Number.isNaN(x)))
    memory.push([run.label, Object.entries(peaks).map(([n, v]) => `${n} ${num(v / MiB, 0)}`).join(', '), num(largest(r) / MiB, 0), num(cliPeak / MiB, 0),
      num(cpuPerGb(r, 'firstBackup'), 1), num(cpuPerGb(r, 'restoreOneKilled'), 1)])
    if (base !== undefined) {
      growth.push([run.label, ratio(d.bytes, base.dataset.day0.bytes), ratio(d.files, base.dataset.day0.files),
        ratio(r.resilien.firstBackup?.seconds, base.resilien.firstBackup?.seconds),
        ratio(r.resilien.nextDayBackup?.seconds, base.resilien.nextDayBackup?.seconds),
        ratio(r.resilien.restoreOneKilled?.seconds, base.resilien.restoreOneKilled?.seconds),
        ratio(largest(r), largest(base))])
    }
  }
  const charts: Chart[] = [{
    kind: 'bars',
    spec: {
      title: 'Throughput per phase at each scale (MB/s of source)',
      unit: 'MB/s',
      groups: phases.map((p) => ({ label: PHASE_LABEL[p], values: s.runs.map((run) => ({ series: run.label, value: run.result.resilien[p]?.mbPerSecond })) }))
    }
  }, {
    kind: 'bars',
    spec: {
      title: 'Largest node peak RSS at each scale',
      unit: 'MiB',
      groups: s.runs.map((run) => ({ label: run.label, values: [{ series: 'resilien', value: largest(run.result) / MiB }] }))
    }
  }]
  for (const run of s.runs) if (run.result.memory !== undefined) charts.push(memoryChart(`Memory over time at ${run.label}`, run.result.memory))
  const warnings = s.runs.flatMap((run) => run.result.warnings.map((w) => `warning (${run.label}): ${w}`))
  return [
    {
      lines: [
        `resilien bench scale${quick ? ' (quick)' : ''}: ${m.cpuModel}, ${m.arch}, ${m.cores} cores, ${(m.memoryBytes / 2 ** 30).toFixed(1)} GiB, Node ${m.node}`,
        `the cluster scenario (3 sites, no peers) at 1x = ${(s.baseSize / MiB).toFixed(0)} MiB, each run on fresh sites with its own data set`
      ]
    },
    { title: 'wall seconds per phase', tables: [{ rows: time }] },
    { title: 'MB/s per phase', tables: [{ rows: speed }], charts },
    { title: 'memory and CPU', tables: [{ rows: memory }] },
    { title: 'growth against 1x (1.00 = flat; data x = linear)', tables: [{ rows: growth }] },
    ...(warnings.length === 0 ? [] : [{ lines: warnings }])
  ]
}
