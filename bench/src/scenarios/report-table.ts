import type { MachineInfo } from '../machine.js'
import type { DatasetInfo, TargetCheck } from './phase-types.js'

const MB = 1e6

/** One line of a report table: a label, then right-aligned cells. */
export type Row = string[]

/** A figure with `digits` decimals, '-' when unknown. */
export function num (x: number | undefined, digits: number): string {
  return x === undefined || Number.isNaN(x) ? '-' : x.toFixed(digits)
}

export function verdict (met: boolean | undefined): string {
  return met === undefined ? 'n/a' : met ? 'met' : 'NOT MET'
}

/** Aligned columns: the first left-aligned, the others right-aligned. */
export function formatRows (rows: readonly Row[]): string {
  const columns = Math.max(...rows.map((r) => r.length))
  const widths = Array.from({ length: columns }, (_, i) => Math.max(...rows.map((r) => r[i]?.length ?? 0)))
  return rows.map((r) => r.map((c, i) => i === 0 ? c.padEnd(widths[0] as number) : c.padStart(widths[i] as number)).join('  ').trimEnd()).join('\n')
}

/** A figure of a phase: its label, how to read it (undefined: not measured), its decimals. */
export type Metric<F> = readonly [string, (f: F) => number | undefined, number]

/** Rows "phase: metric | resilien | restic | ratio" for one phase (a metric resilien lacks is left out). */
export function comparisonRows<F> (label: string, ours: F, theirs: F | undefined, metrics: ReadonlyArray<Metric<F>>): Row[] {
  const rows: Row[] = []
  for (const [metric, get, digits] of metrics) {
    const a = get(ours)
    if (a === undefined) continue
    const b = theirs === undefined ? undefined : get(theirs)
    if (b === undefined && a === 0) continue
    rows.push([`${label}: ${metric}`, num(a, digits), num(b, digits), b === undefined || b === 0 || Number.isNaN(b) ? '-' : num(a / b, 2), '', ''])
  }
  return rows
}

/** A row of the comparison table: resilien, restic, ratio, target, verdict. */
export function targetRow (t: TargetCheck): Row {
  return [`target: ${t.name}`, num(t.ours, 1), num(t.theirs, 1), num(t.ratio, 2), t.target, verdict(t.met)]
}

/** The report's first lines: scenario, machine, active code paths, and day 0 of the data set. */
export function reportHeader (scenario: string, quick: boolean, m: MachineInfo, d: DatasetInfo): string[] {
  return [
    `resilien bench ${scenario}${quick ? ' (quick)' : ''}: ${m.cpuModel}, ${m.arch}, ${m.cores} cores, ` +
      `${(m.memoryBytes / 2 ** 30).toFixed(1)} GiB, Node ${m.node}`,
    `active paths: ${Object.entries(m.activePaths).map(([k, v]) => `${k}=${v}`).join(', ')}`,
    `data set (${d.source}, seed ${d.seed}, files x${d.filesScale}): day 0 ${d.day0.files} files, ${d.day0.dirs} folders, ` +
      `${(d.day0.bytes / MB).toFixed(0)} MB (made in ${d.day0.generateSeconds.toFixed(1)} s)`
  ]
}
