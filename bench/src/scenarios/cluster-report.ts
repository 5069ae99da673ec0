import type { MachineInfo } from '../machine.js'
import { cpuPerGb } from './cluster-targets.js'
import type { ClusterResult, ClusterStep } from './cluster-types.js'
import type { PhaseFigures } from './phase-types.js'
import { comparisonRows, formatRows, num, reportHeader, targetRow } from './report-table.js'
import type { Metric, Row } from './report-table.js'

const MiB = 1024 * 1024

/** Figures of each phase beside restic's. */
const METRICS: ReadonlyArray<Metric<PhaseFigures>> = [
  ['wall s', (f) => f.seconds, 1],
  ['MB/s', (f) => f.mbPerSecond, 0],
  ['CPU s, all processes', (f) => f.cpuSeconds, 1],
  ['CPU s/GB', (f) => cpuPerGb(f), 1],
  ['peak RSS MiB (largest node)', (f) => f.peakRssBytes / MiB, 0],
  ['stored MiB (shards, all sites)', (f) => f.storedBytes === undefined ? undefined : f.storedBytes / MiB, 1],
  ['packed MiB', (f) => f.packedBytes === undefined ? undefined : f.packedBytes / MiB, 1]
]

function mib (x: number | undefined): string {
  return num(x === undefined ? undefined : x / MiB, 1)
}

/** Where the time went: one row per step, CPU by process and each node's peak. */
export function stepRows (sites: readonly string[], steps: readonly ClusterStep[]): Row[] {
  const rows: Row[] = [['step', 'wall s', ...sites.map((s) => `${s} CPU s`), 'CLI CPU s', 'total CPU s', `peak RSS MiB ${sites.join('/')}`]]
  for (const step of steps) {
    const cpu = Object.values(step.cpuSeconds).filter((x) => !Number.isNaN(x))
    const peaks = sites.map((s) => step.peakRssBytes[s] === undefined ? '-' : num((step.peakRssBytes[s] as number) / MiB, 0))
    rows.push([
      step.name,
      num(step.seconds, 1),
      ...sites.map((s) => num(step.cpuSeconds[s], 1)),
      num(step.cpuSeconds.cli, 1),
      cpu.length === 0 ? '-' : num(cpu.reduce((n, x) => n + x, 0), 1),
      peaks.every((p) => p === '-') ? '-' : peaks.join('/')
    ])
  }
  return rows
}

function storageRows (r: ClusterResult): Row[] {
  const rows: Row[] = [['site', 'store/ MiB', `status MiB on ${r.cluster.restoreSite}`, `on ${r.cluster.backupSite}`, 'data dir MiB']]
  for (const s of r.storage) rows.push([s.name, mib(s.storeBytes), mib(s.statusBytes), mib(s.statusBytesOnBackupSite), mib(s.dataDirBytes)])
  return rows
}

export function formatCluster (r: ClusterResult, m: MachineInfo, quick: boolean): string {
  const c = r.cluster
  const lines = reportHeader('cluster', quick, m, r.dataset)
  lines.push(`restic: ${r.restic?.version ?? 'not run'}`)
  lines.push(`resilien: ${c.sites.length} sites on this machine (loopback), repository ${c.k}+${c.m}, KDF ${c.env.RESILIEN_KDF ?? 'default'}; ` +
    `backup on ${c.backupSite}, restore on ${c.restoreSite} after kill -9 of ${c.backupSite}`)
  lines.push(`  repo create ${c.repoCreateSeconds.toFixed(1)} s; idle node RSS ${Object.entries(c.idleRssBytes).map(([s, b]) => `${s} ${(b / MiB).toFixed(0)} MiB`).join(', ')}`)
  const redundancy = c.statusAfterKill?.redundancy
  if (redundancy !== undefined) {
    lines.push(`  after the kill, on ${c.restoreSite}: stripes ${redundancy.stripes} (full ${redundancy.full}, degraded ${redundancy.degraded}, ` +
      `at risk ${redundancy.atRisk}, lost ${redundancy.lost}); ${c.backupSite} ${c.statusAfterKill?.sites.find((s) => s.name === c.backupSite)?.up === true ? 'still seen up' : 'seen down'}`)
  }
  lines.push('')
  const rows: Row[] = [['phase / metric', 'resilien', 'restic', 'ratio', 'target', 'met']]
  if (r.resilien.firstBackup !== undefined) rows.push(...comparisonRows('first backup', r.resilien.firstBackup, r.restic?.firstBackup, METRICS))
  if (r.resilien.restore !== undefined) rows.push(...comparisonRows(`restore, ${c.backupSite} killed`, r.resilien.restore, r.restic?.restore, METRICS))
  for (const t of r.targets) rows.push(targetRow(t))
  lines.push(formatRows(rows), '', 'where the time goes (resilien):', formatRows(stepRows(c.sites, r.steps)), '', 'stored per site:', formatRows(storageRows(r)))
  lines.push('', 'first backup CPU counts every node from the command\'s start until they are idle again, plus the CLI; restore CPU the two survivors and the CLI.')
  for (const w of r.warnings) lines.push(`warning: ${w}`)
  return lines.join('\n')
}
