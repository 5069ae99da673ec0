import type { Row } from '../scenarios/report-table.js'
import type { BarChartSpec } from './bar-chart.js'
import type { LineChartSpec } from './line-chart.js'

export type Chart = { kind: 'bars', spec: BarChartSpec } | { kind: 'lines', spec: LineChartSpec }

/** A table: its first row is the header; the first column is left-aligned, the others right-aligned. */
export interface Table {
  caption?: string
  rows: Row[]
}

/**
 * One part of a scenario's report, rendered both as plain text (terminal, log) and as HTML; the
 * charts appear only in HTML.
 */
export interface ReportSection {
  title?: string
  /** Lines of prose (header facts, notes, warnings). */
  lines?: string[]
  tables?: Table[]
  charts?: Chart[]
  /** Preformatted text kept as is (the reports of scenarios that print text only). */
  preformatted?: string
}

/** A cell holding a figure, a ratio, a list of figures or a dash for none: right-aligned. */
export function isFigureCell (text: string): boolean {
  const t = text.trim()
  return /^[-+]?[0-9.,]+[%x]?$|^-$|^n\/a$/.test(t) || /^[0-9.-]+(\/[0-9.-]+)+$/.test(t)
}

/** Aligned columns: a column of figures right-aligned, any other left-aligned (the header follows its column). */
export function formatTableText (rows: readonly Row[]): string {
  const columns = Math.max(...rows.map((r) => r.length))
  const widths = Array.from({ length: columns }, (_, i) => Math.max(...rows.map((r) => r[i]?.length ?? 0)))
  const right = Array.from({ length: columns }, (_, i) => i > 0 && rows.slice(1).every((r) => r[i] === undefined || isFigureCell(r[i] as string)))
  return rows.map((r) => r.map((c, i) => right[i] === true ? c.padStart(widths[i] as number) : c.padEnd(widths[i] as number)).join('  ').trimEnd()).join('\n')
}

/** The sections as the terminal shows them. */
export function sectionsToText (sections: readonly ReportSection[]): string {
  const out: string[] = []
  for (const s of sections) {
    const block: string[] = []
    if (s.title !== undefined) block.push(`${s.title}:`)
    if (s.lines !== undefined) block.push(...s.lines)
    for (const t of s.tables ?? []) {
      if (t.caption !== undefined) block.push(t.caption)
      block.push(formatTableText(t.rows))
    }
    if (s.preformatted !== undefined) block.push(s.preformatted)
    if (block.length > 0) out.push(block.join('\n'))
  }
  return out.join('\n\n')
}
