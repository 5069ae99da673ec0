import type { BarGroup } from '../html-report/bar-chart.js'
import type { Chart, ReportSection } from '../html-report/sections.js'
import type { MachineInfo } from '../machine.js'
import type { StageResult } from '../measure.js'
import { num } from './report-table.js'
import type { Row } from './report-table.js'
import type { StagesResult } from './stages.js'

const GB = 1e9
/** The implementation a variant names first ("native, 1 MiB inputs"); others have one implementation. */
const IMPLEMENTATION = /^(native|wasm|portable)\b[ ,]*(.*)$/
const ONLY_ONE = 'one implementation'

/** Bars side by side per stage and input: each implementation's MB/s (native beside its fallback). */
function implementationChart (results: readonly StageResult[]): Chart {
  const groups = new Map<string, BarGroup>()
  for (const r of results) {
    const m = IMPLEMENTATION.exec(r.variant)
    const label = `${r.stage}: ${m === null ? r.variant : m[2]}`
    const group = groups.get(label) ?? { label, values: [] }
    group.values.push({ series: m?.[1] ?? ONLY_ONE, value: r.mbPerSecond })
    groups.set(label, group)
  }
  return { kind: 'bars', spec: { title: 'Stages, one thread: MB/s of each implementation (native beside its fallback)', unit: 'MB/s', groups: [...groups.values()] } }
}

function notes (r: StageResult): string {
  return r.extra === undefined ? '' : Object.entries(r.extra).map(([k, v]) => `${k}=${v}`).join(' ')
}

/** The stages scenario's report: MB/s and CPU per GB of every stage and variant; bars in HTML. */
export function stagesSections (s: StagesResult, m: MachineInfo, quick: boolean): ReportSection[] {
  const rows: Row[] = [['stage', 'variant', 'MB/s', 'CPU s/GB', 'notes']]
  for (const r of s.results) rows.push([r.stage, r.variant, num(r.mbPerSecond, 0), num(r.cpuSeconds / (r.bytes / GB), 2), notes(r)])
  return [
    {
      lines: [
        `resilien bench stages${quick ? ' (quick)' : ''}: ${m.cpuModel}, ${m.arch}, ${m.cores} cores, ${(m.memoryBytes / 2 ** 30).toFixed(1)} GiB, Node ${m.node}`,
        `active paths: ${Object.entries(m.activePaths).map(([k, v]) => `${k}=${v}`).join(', ')}`,
        ...s.unavailable.map((u) => `not measured: ${u.stage} ${u.variant} (${u.reason})`),
        'fastcdc (TypeScript) and the ChaCha20-Poly1305 seal (node:crypto) have one implementation each: no fallback to measure.'
      ]
    },
    {
      title: 'one thread, best of the rounds',
      tables: [{ rows }],
      charts: [implementationChart(s.results)]
    }
  ]
}
