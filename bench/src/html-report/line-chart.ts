import type { NamedSeries } from '../process/series.js'
import { downsample } from '../process/series.js'
import type { StepWindow } from '../process/rss-sampler.js'
import { niceTicks, tickLabel } from './axis.js'
import { coordinate, element, escapeMarkup } from './markup.js'
import { coloursOf } from './palette.js'

/** The list of the numbered bands, to print under the chart: "1. first backup (24.1-30.9 s)". */
export function bandLegend (spec: LineChartSpec): string[] {
  return (spec.bands ?? []).map((b, i) => `${i + 1}. ${b.name} (${tickLabel(b.start)}-${tickLabel(b.end)} ${spec.xUnit})`)
}

export interface LineChartSpec {
  title: string
  xUnit: string
  yUnit: string
  /** Points [x, y] in the units above; a null y is a gap in the line. */
  series: NamedSeries[]
  /** Stretches of x to shade and name (the steps of a run). */
  bands?: StepWindow[]
}

/** Geometry of the chart, in SVG units. */
const WIDTH = 760
const HEIGHT = 300
const LEFT = 56
const RIGHT = 12
const TOP = 56
const BOTTOM = 30
const FONT = 11
/** Points per line at most: a long run sampled 4 times a second is thinned, keeping each bucket's peak. */
const MAX_POINTS = 600
/** A band shows its number when at least this wide; its name is in its tooltip and in the list under the chart. */
const MIN_NUMBERED_BAND = 9

/**
 * The SVG path of a series: a move at its start and after each gap, lines in between; a lone
 * point (a command sampled once) gets a short stroke so that it shows.
 */
export function linePath (points: ReadonlyArray<readonly [number, number | null]>, x: (v: number) => number, y: (v: number) => number): string {
  const segments: string[][] = []
  let current: string[] | undefined
  for (const [px, py] of points) {
    if (py === null) {
      current = undefined
      continue
    }
    if (current === undefined) {
      current = []
      segments.push(current)
    }
    current.push(`${coordinate(x(px))} ${coordinate(y(py))}`)
  }
  return segments.map((s) => s.length === 1 ? `M${s[0] as string}h2` : `M${s.join('L')}`).join('')
}

/**
 * Lines over time (memory of each process): shaded bands for the steps with their names, a scale
 * on both axes, a legend. Self-contained SVG.
 */
export function lineChart (spec: LineChartSpec): string {
  const series = spec.series.map((s) => ({ name: s.name, points: downsample(s.points, MAX_POINTS) }))
  const colours = coloursOf(series.map((s) => s.name))
  const all = series.flatMap((s) => s.points)
  const xMax = Math.max(0, ...all.map((p) => p[0]), ...(spec.bands ?? []).map((b) => b.end))
  const yMax = Math.max(0, ...all.map((p) => p[1] ?? 0))
  const xTicks = niceTicks(xMax, 8)
  const yTicks = niceTicks(yMax, 5)
  const xEnd = xTicks[xTicks.length - 1] as number
  const yEnd = yTicks[yTicks.length - 1] as number
  const plotW = WIDTH - LEFT - RIGHT
  const plotH = HEIGHT - TOP - BOTTOM
  const x = (v: number): number => LEFT + plotW * v / xEnd
  const y = (v: number): number => TOP + plotH * (1 - v / yEnd)
  const parts: string[] = []
  parts.push(element('text', { x: 0, y: 14, 'font-weight': 'bold', 'font-size': FONT + 2 }, escapeMarkup(spec.title)))
  let legendX = 0
  series.forEach((s, i) => {
    parts.push(element('rect', { x: legendX, y: 22, width: 10, height: 10, fill: colours[i] }))
    parts.push(element('text', { x: legendX + 14, y: 31 }, escapeMarkup(s.name)))
    legendX += 24 + s.name.length * 6.5
  })
  ;(spec.bands ?? []).forEach((b, i) => {
    const x0 = x(b.start)
    const w = Math.max(0.5, x(b.end) - x0)
    parts.push(element('rect', { x: x0, y: TOP, width: w, height: plotH, fill: i % 2 === 0 ? '#f1f4f8' : '#e6ebf2' },
      element('title', {}, escapeMarkup(`${i + 1}. ${b.name}: ${tickLabel(b.start)}-${tickLabel(b.end)} ${spec.xUnit}`))))
    if (w >= MIN_NUMBERED_BAND) {
      parts.push(element('text', { x: x0 + w / 2, y: TOP + 10, 'text-anchor': 'middle', 'font-size': FONT - 2, fill: '#666' }, String(i + 1)))
    }
  })
  for (const t of yTicks) {
    parts.push(element('line', { x1: LEFT, y1: y(t), x2: WIDTH - RIGHT, y2: y(t), stroke: '#ddd' }))
    parts.push(element('text', { x: LEFT - 4, y: y(t) + 4, 'text-anchor': 'end', fill: '#555' }, escapeMarkup(tickLabel(t))))
  }
  for (const t of xTicks) {
    parts.push(element('text', { x: x(t), y: HEIGHT - BOTTOM + 14, 'text-anchor': 'middle', fill: '#555' }, escapeMarkup(tickLabel(t))))
  }
  parts.push(element('text', { x: LEFT - 4, y: TOP - 6, 'text-anchor': 'end', fill: '#555' }, escapeMarkup(spec.yUnit)))
  parts.push(element('text', { x: WIDTH - RIGHT, y: HEIGHT - 4, 'text-anchor': 'end', fill: '#555' }, escapeMarkup(spec.xUnit)))
  parts.push(element('line', { x1: LEFT, y1: TOP + plotH, x2: WIDTH - RIGHT, y2: TOP + plotH, stroke: '#888' }))
  series.forEach((s, i) => {
    const d = linePath(s.points, x, y)
    if (d !== '') parts.push(element('path', { d, fill: 'none', stroke: colours[i], 'stroke-width': 1.5 }, element('title', {}, escapeMarkup(s.name))))
  })
  return element('svg', {
    xmlns: 'http://www.w3.org/2000/svg',
    viewBox: `0 0 ${WIDTH} ${HEIGHT}`,
    width: WIDTH,
    height: HEIGHT,
    'font-family': 'sans-serif',
    'font-size': FONT,
    role: 'img',
    'aria-label': spec.title
  }, parts.join(''))
}
