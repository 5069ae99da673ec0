import { niceTicks, tickLabel } from './axis.js'
import { element, escapeMarkup } from './markup.js'
import { coloursOf } from './palette.js'

/** One group of bars (a step, a stage): one bar per series (a tool, a variant). */
export interface BarGroup {
  label: string
  values: Array<{ series: string, value: number | undefined }>
}

export interface BarChartSpec {
  title: string
  /** What the values are, e.g. "MB/s". */
  unit: string
  groups: BarGroup[]
}

/** Geometry of the chart, in SVG units (pixels at 100 %). */
const WIDTH = 760
/** Room for the group labels: as wide as the longest needs, within these bounds. */
const MIN_LABEL_WIDTH = 120
const MAX_LABEL_WIDTH = 360
/** Average width of one character of the label font. */
const CHAR_WIDTH = 6
const VALUE_ROOM = 60
const BAR_HEIGHT = 14
const BAR_GAP = 2
const GROUP_GAP = 12
const TOP = 44
const BOTTOM = 24
const FONT = 11

/**
 * Horizontal grouped bars: a group per row label, a bar for each series the group names (in one
 * order and colour across the chart), the value written at the end of each bar, a legend and a
 * scale with grid lines. A series named without a value shows "n/a". Self-contained SVG (no
 * script, no external reference).
 */
export function barChart (spec: BarChartSpec): string {
  const series = [...new Set(spec.groups.flatMap((g) => g.values.map((v) => v.series)))]
  const colours = coloursOf(series)
  const labelWidth = Math.min(MAX_LABEL_WIDTH, Math.max(MIN_LABEL_WIDTH, 12 + CHAR_WIDTH * Math.max(0, ...spec.groups.map((g) => g.label.length))))
  const max = Math.max(0, ...spec.groups.flatMap((g) => g.values.map((v) => v.value ?? 0)).filter((v) => Number.isFinite(v)))
  const ticks = niceTicks(max)
  const end = ticks[ticks.length - 1] as number
  const plotWidth = WIDTH - labelWidth - VALUE_ROOM
  const x = (v: number): number => labelWidth + plotWidth * Math.min(v, end) / end
  // A group has a bar for each series it names (in the chart's series order, with its colour).
  const present = spec.groups.map((g) => series.map((name, i) => ({ name, i })).filter(({ name }) => g.values.some((v) => v.series === name)))
  const heightOf = (n: number): number => Math.max(1, n) * (BAR_HEIGHT + BAR_GAP) - BAR_GAP
  const height = TOP + present.reduce((n, p) => n + heightOf(p.length) + GROUP_GAP, 0) + BOTTOM
  const parts: string[] = []
  parts.push(element('text', { x: 0, y: 14, 'font-weight': 'bold', 'font-size': FONT + 2 }, escapeMarkup(spec.title)))
  let legendX = 0
  series.forEach((name, i) => {
    parts.push(element('rect', { x: legendX, y: 22, width: 10, height: 10, fill: colours[i] }))
    parts.push(element('text', { x: legendX + 14, y: 31 }, escapeMarkup(name)))
    legendX += 24 + name.length * 6.5
  })
  const plotBottom = height - BOTTOM
  for (const t of ticks) {
    parts.push(element('line', { x1: x(t), y1: TOP - 4, x2: x(t), y2: plotBottom, stroke: '#ddd' }))
    parts.push(element('text', { x: x(t), y: plotBottom + 14, 'text-anchor': 'middle', fill: '#555' }, escapeMarkup(tickLabel(t))))
  }
  parts.push(element('text', { x: labelWidth - 10, y: plotBottom + 14, 'text-anchor': 'end', fill: '#555' }, escapeMarkup(spec.unit)))
  let y0 = TOP
  spec.groups.forEach((group, g) => {
    const bars = present[g] ?? []
    const groupHeight = heightOf(bars.length)
    const room = Math.floor((labelWidth - 12) / CHAR_WIDTH)
    const label = group.label.length <= room ? group.label : group.label.slice(0, room - 1) + '…'
    parts.push(element('text', { x: labelWidth - 6, y: y0 + groupHeight / 2 + 4, 'text-anchor': 'end' }, escapeMarkup(label) + element('title', {}, escapeMarkup(group.label))))
    bars.forEach(({ name, i }, slot) => {
      const y = y0 + slot * (BAR_HEIGHT + BAR_GAP)
      const value = group.values.find((v) => v.series === name)?.value
      if (value === undefined || !Number.isFinite(value)) {
        parts.push(element('text', { x: labelWidth + 4, y: y + BAR_HEIGHT - 3, fill: '#888' }, 'n/a'))
        return
      }
      const w = Math.max(1, x(value) - labelWidth)
      parts.push(element('rect', { x: labelWidth, y, width: w, height: BAR_HEIGHT, fill: colours[i] },
        element('title', {}, escapeMarkup(`${group.label}, ${name}: ${tickLabel(value)} ${spec.unit}`))))
      parts.push(element('text', { x: labelWidth + w + 4, y: y + BAR_HEIGHT - 3 }, escapeMarkup(tickLabel(value))))
    })
    y0 += groupHeight + GROUP_GAP
  })
  return element('svg', {
    xmlns: 'http://www.w3.org/2000/svg',
    viewBox: `0 0 ${WIDTH} ${height}`,
    width: WIDTH,
    height,
    'font-family': 'sans-serif',
    'font-size': FONT,
    role: 'img',
    'aria-label': spec.title
  }, parts.join(''))
}
