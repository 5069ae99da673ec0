import type { MachineInfo } from '../machine.js'
import { barChart } from './bar-chart.js'
import { bandLegend, lineChart } from './line-chart.js'
import { element, escapeMarkup } from './markup.js'
import { isFigureCell } from './sections.js'
import type { Chart, ReportSection, Table } from './sections.js'

/** One scenario's part of the page. */
export interface HtmlScenario {
  name: string
  sections: ReportSection[]
}

export interface HtmlReportInput {
  title: string
  startedAt: string
  /** The command line that made it. */
  command: string
  machine: MachineInfo
  scenarios: HtmlScenario[]
}

const GiB = 2 ** 30

/** Inline style: the page needs nothing from outside (no fonts, scripts or images). */
const STYLE = `
body { font-family: sans-serif; margin: 1.5em auto; max-width: 62em; padding: 0 1em; color: #222; line-height: 1.35; }
h1 { font-size: 1.5em; } h2 { font-size: 1.25em; margin-top: 2em; border-bottom: 1px solid #ccc; } h3 { font-size: 1.05em; margin-top: 1.4em; }
table { border-collapse: collapse; margin: 0.6em 0 1em; font-size: 0.85em; }
th, td { border: 1px solid #ddd; padding: 0.2em 0.5em; } td.n, th.n { text-align: right; font-variant-numeric: tabular-nums; }
th { background: #f4f4f4; } caption { text-align: left; font-weight: bold; padding: 0.3em 0; }
pre { background: #f7f7f7; padding: 0.8em; overflow-x: auto; font-size: 0.8em; }
figure { margin: 1em 0; } figcaption { font-size: 0.75em; color: #555; } svg { max-width: 100%; height: auto; }
p.line { margin: 0.15em 0; } .warn { color: #a33; }
`

export function tableHtml (t: Table): string {
  const [header, ...body] = t.rows
  const right = (header ?? []).map((_, i) => i > 0 && body.every((r) => r[i] === undefined || isFigureCell(r[i] as string)))
  const cell = (tag: 'th' | 'td', text: string, i: number): string => element(tag, right[i] === true ? { class: 'n' } : {}, escapeMarkup(text))
  const head = header === undefined ? '' : element('thead', {}, element('tr', {}, header.map((c, i) => cell('th', c, i)).join('')))
  const rows = body.map((r) => element('tr', {}, r.map((c, i) => cell('td', c, i)).join(''))).join('\n')
  return element('table', {}, (t.caption === undefined ? '' : element('caption', {}, escapeMarkup(t.caption))) + head + element('tbody', {}, rows))
}

function chartHtml (c: Chart): string {
  if (c.kind === 'bars') return element('figure', {}, barChart(c.spec))
  const legend = bandLegend(c.spec)
  return element('figure', {}, lineChart(c.spec) + (legend.length === 0 ? '' : element('figcaption', {}, escapeMarkup(legend.join(' · ')))))
}

function sectionHtml (s: ReportSection): string {
  const parts: string[] = []
  if (s.title !== undefined) parts.push(element('h3', {}, escapeMarkup(s.title)))
  for (const line of s.lines ?? []) parts.push(element('p', { class: /^warning/.test(line) ? 'line warn' : 'line' }, escapeMarkup(line)))
  for (const c of s.charts ?? []) parts.push(chartHtml(c))
  for (const t of s.tables ?? []) parts.push(tableHtml(t))
  if (s.preformatted !== undefined) parts.push(element('pre', {}, escapeMarkup(s.preformatted)))
  return parts.join('\n')
}

/** Rows of the machine table: what every figure depends on. */
export function machineRows (m: MachineInfo): string[][] {
  const rows: string[][] = [
    ['CPU', `${m.cpuModel} (${m.arch})`],
    ['cores', String(m.cores)],
    ['memory', `${(m.memoryBytes / GiB).toFixed(1)} GiB`],
    ['Node', m.node],
    ['system', m.platform],
    ['storage', m.storage === undefined ? 'unknown' : `${m.storage.path} on ${m.storage.mountPoint} (${m.storage.filesystem}, ${m.storage.device}), ${(m.storage.freeBytes / GiB).toFixed(0)} of ${(m.storage.totalBytes / GiB).toFixed(0)} GiB free${m.storage.note === undefined ? '' : `; ${m.storage.note}`}`]
  ]
  for (const [stage, p] of Object.entries(m.fastPaths ?? {})) {
    rows.push([`${stage}`, `${p.active}${p.fast ? ' (fast path)' : ' (FALLBACK)'}; available here: ${p.available.join(', ') || 'none'}${p.note === undefined ? '' : `; ${p.note}`}`])
  }
  return rows
}

/** The whole report: one self-contained HTML file (inline style and SVG, no script). */
export function renderHtml (input: HtmlReportInput): string {
  const machine = element('table', {}, element('tbody', {}, machineRows(input.machine)
    .map(([k, v]) => element('tr', {}, element('th', {}, escapeMarkup(k ?? '')) + element('td', {}, escapeMarkup(v ?? '')))).join('\n')))
  const body = [
    element('h1', {}, escapeMarkup(input.title)),
    element('p', {}, `${escapeMarkup(input.startedAt)} &middot; ${element('code', {}, escapeMarkup(input.command))}`),
    element('h2', {}, 'Machine'),
    machine,
    ...input.scenarios.map((s) => element('section', {}, element('h2', {}, escapeMarkup(s.name)) + '\n' + s.sections.map(sectionHtml).join('\n')))
  ].join('\n')
  return `<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n<meta name="viewport" content="width=device-width, initial-scale=1">\n` +
    `<title>${escapeMarkup(input.title)}</title>\n<style>${STYLE}</style>\n</head>\n<body>\n${body}\n</body>\n</html>\n`
}
