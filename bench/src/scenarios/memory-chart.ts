import type { Chart } from '../html-report/sections.js'
import type { MemoryTimeline } from '../process/rss-sampler.js'

const MiB = 1024 * 1024

/** The line chart of a run's memory: each process's RSS in MiB over seconds, the steps shaded. */
export function memoryChart (title: string, timeline: MemoryTimeline): Chart {
  return {
    kind: 'lines',
    spec: {
      title,
      xUnit: 's',
      yUnit: 'RSS MiB',
      series: timeline.series.map((s) => ({ name: s.name, points: s.points.map(([t, v]) => [t, v === null ? null : v / MiB]) })),
      bands: timeline.steps
    }
  }
}
