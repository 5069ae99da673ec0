import type { MachineInfo } from '../machine.js'
import type { PhaseFigures, PhaseName, SingleSiteResult } from './single-site-types.js'
import { comparisonRows, formatRows, num, reportHeader, targetRow } from './report-table.js'
import type { Metric, Row } from './report-table.js'

const MB = 1e6
const MiB = 1024 * 1024

const PHASES: ReadonlyArray<[PhaseName, string]> = [
  ['firstBackup', 'first backup'],
  ['unchangedBackup', 'unchanged re-backup'],
  ['nextDayBackup', 'next-day backup'],
  ['restore', 'restore'],
  ['dump', 'dump of the tree (tar)']
]

/** Metrics shown for every phase. */
const METRICS: ReadonlyArray<Metric<PhaseFigures>> = [
  ['wall s', (f) => f.seconds, 1],
  ['MB/s', (f) => f.mbPerSecond, 0],
  ['CPU s', (f) => f.cpuSeconds, 1],
  ['peak RSS MiB', (f) => f.peakRssBytes / MiB, 0],
  ['node RSS at start MiB', (f) => typeof f.notes?.nodeRssBeforeBytes === 'number' ? f.notes.nodeRssBeforeBytes / MiB : undefined, 0],
  ['stored MiB', (f) => f.storedBytes === undefined ? undefined : f.storedBytes / MiB, 1],
  ['packed MiB', (f) => f.packedBytes === undefined ? undefined : f.packedBytes / MiB, 1],
  ['new chunks MiB (raw)', (f) => f.newBytes === undefined ? undefined : f.newBytes / MiB, 1]
]

export function formatSingleSite (r: SingleSiteResult, m: MachineInfo, quick: boolean): string {
  const d = r.dataset
  const lines = reportHeader('single-site', quick, m, d)
  if (d.day1 !== undefined) {
    const s = d.day1.summary
    lines.push(`  day 1: ${d.day1.files} files, ${(d.day1.bytes / MB).toFixed(0)} MB; ${(d.day1.writtenBytes / MB).toFixed(0)} MB written` +
      (s === undefined ? '' : ` (${s.edited} edited, ${s.rewritten} rewritten, ${s.added} added, ${s.deleted} deleted, ` +
        `${s.trashed} trashed, ${s.renamed} renamed, ${s.versionsKept} versions kept, SQL dump regenerated, log +${(s.logAppendedBytes / MB).toFixed(1)} MB)`))
  }
  lines.push(`restic: ${r.restic?.version ?? 'not run'}`)
  lines.push(`resilien: repo create (scrypt KDF) ${r.resilien.repoCreateSeconds.toFixed(1)} s, idle node RSS ${(r.resilien.idleRssBytes / MiB).toFixed(0)} MiB`, '')
  const rows: Row[] = [['phase / metric', 'resilien', 'restic', 'ratio', 'target', 'met']]
  for (const [phase, label] of PHASES) {
    const ours = r.resilien[phase]
    if (ours === undefined) continue
    rows.push(...comparisonRows(label, ours, r.restic?.[phase], METRICS))
  }
  if (r.scale !== undefined) {
    const s = r.scale
    rows.push([`scale: peak RSS 1x / ${s.factor}x MiB`, `${num((s.peakRssBytes[0] ?? 0) / MiB, 0)} / ${num((s.peakRssBytes[1] ?? 0) / MiB, 0)}`, '', '', '', ''])
    rows.push([`scale: MB/s 1x / ${s.factor}x`, `${num(s.mbPerSecond[0], 0)} / ${num(s.mbPerSecond[1], 0)}`, '', '', '', ''])
  }
  for (const t of r.targets) rows.push(targetRow(t))
  lines.push(formatRows(rows))
  if (r.scale !== undefined) lines.push('', `scale check: ${r.scale.note}`)
  for (const w of r.warnings) lines.push(`warning: ${w}`)
  return lines.join('\n')
}
