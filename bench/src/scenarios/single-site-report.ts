import type { MachineInfo } from '../machine.js'
import type { PhaseFigures, PhaseName, SingleSiteResult, TargetCheck } from './single-site-types.js'

const MB = 1e6
const MiB = 1024 * 1024

type Row = [string, string, string, string, string, string]

function num (x: number | undefined, digits: number): string {
  return x === undefined || Number.isNaN(x) ? '-' : x.toFixed(digits)
}

function verdict (met: boolean | undefined): string {
  return met === undefined ? 'n/a' : met ? 'met' : 'NOT MET'
}

const PHASES: ReadonlyArray<[PhaseName, string]> = [
  ['firstBackup', 'first backup'],
  ['unchangedBackup', 'unchanged re-backup'],
  ['nextDayBackup', 'next-day backup'],
  ['restore', 'restore']
]

/** Metrics shown for every phase: label, value, digits. */
const METRICS: ReadonlyArray<[string, (f: PhaseFigures) => number | undefined, number]> = [
  ['wall s', (f) => f.seconds, 1],
  ['MB/s', (f) => f.mbPerSecond, 0],
  ['CPU s', (f) => f.cpuSeconds, 1],
  ['peak RSS MiB', (f) => f.peakRssBytes / MiB, 0],
  ['node RSS at start MiB', (f) => typeof f.notes?.nodeRssBeforeBytes === 'number' ? f.notes.nodeRssBeforeBytes / MiB : undefined, 0],
  ['stored MiB', (f) => f.storedBytes === undefined ? undefined : f.storedBytes / MiB, 1],
  ['packed MiB', (f) => f.packedBytes === undefined ? undefined : f.packedBytes / MiB, 1],
  ['new chunks MiB (raw)', (f) => f.newBytes === undefined ? undefined : f.newBytes / MiB, 1]
]

function table (rows: Row[]): string {
  const widths = [0, 1, 2, 3, 4, 5].map((i) => Math.max(...rows.map((r) => r[i]?.length ?? 0)))
  return rows.map((r) => r.map((c, i) => i === 0 ? c.padEnd(widths[0] as number) : c.padStart(widths[i] as number)).join('  ').trimEnd()).join('\n')
}

function targetRow (t: TargetCheck): Row {
  return [`target: ${t.name}`, num(t.ours, 1), num(t.theirs, 1), num(t.ratio, 2), t.target, verdict(t.met)]
}

export function formatSingleSite (r: SingleSiteResult, m: MachineInfo, quick: boolean): string {
  const d = r.dataset
  const lines = [
    `resilien bench single-site${quick ? ' (quick)' : ''}: ${m.cpuModel}, ${m.arch}, ${m.cores} cores, ` +
      `${(m.memoryBytes / 2 ** 30).toFixed(1)} GiB, Node ${m.node}`,
    `active paths: ${Object.entries(m.activePaths).map(([k, v]) => `${k}=${v}`).join(', ')}`,
    `data set (${d.source}, seed ${d.seed}, files x${d.filesScale}): day 0 ${d.day0.files} files, ${d.day0.dirs} folders, ` +
      `${(d.day0.bytes / MB).toFixed(0)} MB (made in ${d.day0.generateSeconds.toFixed(1)} s)`
  ]
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
    const theirs = r.restic?.[phase]
    for (const [metric, get, digits] of METRICS) {
      const a = get(ours)
      if (a === undefined) continue
      const b = theirs === undefined ? undefined : get(theirs)
      if (b === undefined && a === 0) continue
      rows.push([`${label}: ${metric}`, num(a, digits), num(b, digits), b === undefined || b === 0 || Number.isNaN(b) ? '-' : num(a / b, 2), '', ''])
    }
  }
  if (r.scale !== undefined) {
    const s = r.scale
    rows.push([`scale: peak RSS 1x / ${s.factor}x MiB`, `${num((s.peakRssBytes[0] ?? 0) / MiB, 0)} / ${num((s.peakRssBytes[1] ?? 0) / MiB, 0)}`, '', '', '', ''])
    rows.push([`scale: MB/s 1x / ${s.factor}x`, `${num(s.mbPerSecond[0], 0)} / ${num(s.mbPerSecond[1], 0)}`, '', '', '', ''])
  }
  for (const t of r.targets) rows.push(targetRow(t))
  lines.push(table(rows))
  if (r.scale !== undefined) lines.push('', `scale check: ${r.scale.note}`)
  for (const w of r.warnings) lines.push(`warning: ${w}`)
  return lines.join('\n')
}
