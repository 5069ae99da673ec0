import type { MachineInfo } from './machine.js'
import type { StageResult } from './measure.js'

export interface BenchReport<R = StageResult[]> {
  scenario: string
  quick: boolean
  startedAt: string
  machine: MachineInfo
  results: R
}

function pad (s: string, n: number, right = false): string {
  return right ? s.padStart(n) : s.padEnd(n)
}

/** A plain table: readable on a terminal and in a log file alike. */
export function formatTable (report: BenchReport): string {
  const m = report.machine
  const lines = [
    `resilien bench ${report.scenario}${report.quick ? ' (quick)' : ''}: ${m.cpuModel}, ${m.arch}, ${m.cores} cores, ` +
      `${(m.memoryBytes / 2 ** 30).toFixed(1)} GiB, Node ${m.node}`,
    `active paths: ${Object.entries(m.activePaths).map(([k, v]) => `${k}=${v}`).join(', ')}`,
    '',
    `${pad('stage', 26)} ${pad('variant', 30)} ${pad('MB/s', 10, true)} ${pad('CPU s/GB', 9, true)}  notes`
  ]
  for (const r of report.results) {
    const cpuPerGb = r.cpuSeconds / (r.bytes / 1e9)
    const notes = r.extra === undefined ? '' : Object.entries(r.extra).map(([k, v]) => `${k}=${v}`).join(' ')
    lines.push(`${pad(r.stage, 26)} ${pad(r.variant, 30)} ${pad(r.mbPerSecond.toFixed(0), 10, true)} ${pad(cpuPerGb.toFixed(2), 9, true)}  ${notes}`)
  }
  return lines.join('\n')
}
