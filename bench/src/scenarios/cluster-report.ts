import type { MachineInfo } from '../machine.js'
import type { Chart, ReportSection } from '../html-report/sections.js'
import { CLI } from './cluster-step.js'
import { cpuPerGb } from './cluster-targets.js'
import { CLUSTER_PHASES, PEER_PHASE_OF, PHASE_LABEL } from './cluster-types.js'
import type { ClusterPhase, ClusterResult, ClusterStep } from './cluster-types.js'
import { memoryChart } from './memory-chart.js'
import type { PhaseFigures } from './phase-types.js'
import { num, reportHeader, targetRow } from './report-table.js'
import type { Metric, Row } from './report-table.js'

const MiB = 1024 * 1024
const GB = 1e9

/** Figures of each phase, resilien's beside each peer's. */
const METRICS: ReadonlyArray<Metric<PhaseFigures>> = [
  ['wall s', (f) => f.seconds, 1],
  ['MB/s', (f) => f.mbPerSecond, 0],
  ['CPU s, all processes', (f) => f.cpuSeconds, 1],
  ['CPU s/GB', (f) => cpuPerGb(f), 1],
  ['peak RSS MiB (largest process)', (f) => Math.max(f.peakRssBytes, ...Object.values(f.peakRssByProcessBytes ?? {}).filter((x) => !Number.isNaN(x))) / MiB, 0],
  ['stored MiB', (f) => f.storedBytes === undefined ? undefined : f.storedBytes / MiB, 1],
  ['sent MiB (between sites)', (f) => f.sentBytes === undefined ? undefined : f.sentBytes / MiB, 1]
]

function mib (x: number | undefined): string {
  return num(x === undefined ? undefined : x / MiB, 1)
}

/** Where the time went: one row per step, CPU by process, each node's peak, the bytes the nodes sent. */
export function stepRows (sites: readonly string[], steps: readonly ClusterStep[]): Row[] {
  const rows: Row[] = [['step', 'wall s', ...sites.map((s) => `${s} CPU s`), 'CLI CPU s', 'total CPU s', `peak RSS MiB ${sites.join('/')}`, 'sent MiB']]
  for (const step of steps) {
    const cpu = Object.values(step.cpuSeconds).filter((x) => !Number.isNaN(x))
    const peaks = sites.map((s) => step.peakRssBytes[s] === undefined ? '-' : num((step.peakRssBytes[s] as number) / MiB, 0))
    const sent = step.sentBytes === undefined ? undefined : Object.values(step.sentBytes).reduce((a, b) => a + b, 0)
    rows.push([
      step.name,
      num(step.seconds, 1),
      ...sites.map((s) => num(step.cpuSeconds[s], 1)),
      num(step.cpuSeconds[CLI], 1),
      cpu.length === 0 ? '-' : num(cpu.reduce((n, x) => n + x, 0), 1),
      peaks.every((p) => p === '-') ? '-' : peaks.join('/'),
      sent === undefined || Object.keys(step.sentBytes ?? {}).length === 0 ? '-' : mib(sent)
    ])
  }
  return rows
}

/** The phases that ran, in order. */
function phasesOf (r: ClusterResult): ClusterPhase[] {
  return CLUSTER_PHASES.filter((p) => r.resilien[p] !== undefined)
}

/** Phase x metric: resilien, each peer, and resilien's figure over each peer's. */
export function comparisonTable (r: ClusterResult): Row[] {
  const peers = r.peers
  const rows: Row[] = [['phase / metric', 'resilien', ...peers.map((p) => p.tool), ...peers.map((p) => `/${p.tool}`)]]
  for (const phase of phasesOf(r)) {
    const ours = r.resilien[phase] as PhaseFigures
    const theirs = peers.map((p) => p.phases[PEER_PHASE_OF[phase]])
    for (const [metric, get, digits] of METRICS) {
      const a = get(ours)
      const bs = theirs.map((f) => f === undefined ? undefined : get(f))
      if (a === undefined && bs.every((b) => b === undefined)) continue
      // A figure that rounds to zero (nothing stored by an unchanged backup) makes no ratio.
      const ratio = (b: number | undefined): string => a === undefined || b === undefined || Number.isNaN(a) || Number.isNaN(b) || Number(num(b, digits)) === 0 ? '-' : num(a / b, 2)
      rows.push([`${PHASE_LABEL[phase]}: ${metric}`, num(a, digits), ...bs.map((b) => num(b, digits)), ...bs.map(ratio)])
    }
  }
  return rows
}

/** Every process of every phase: its CPU and peak RSS (the peers' restore is their only one). */
export function processTable (r: ClusterResult): Row[] {
  const rows: Row[] = [['phase', 'process', 'CPU s', 'CPU s/GB', 'peak RSS MiB']]
  const add = (label: string, f: PhaseFigures): void => {
    const names = [...new Set([...Object.keys(f.cpuByProcessSeconds ?? {}), ...Object.keys(f.peakRssByProcessBytes ?? {})])]
    for (const name of names) {
      const cpu = f.cpuByProcessSeconds?.[name]
      const peak = f.peakRssByProcessBytes?.[name]
      rows.push([label, name, num(cpu, 2), num(cpu === undefined ? undefined : cpu / (f.sourceBytes / GB), 1), num(peak === undefined ? undefined : peak / MiB, 0)])
    }
  }
  for (const phase of phasesOf(r)) add(PHASE_LABEL[phase], r.resilien[phase] as PhaseFigures)
  for (const p of r.peers) for (const [phase, f] of Object.entries(p.phases)) add(`${p.tool} ${phase === 'restore' ? 'restore' : PHASE_LABEL[phase as ClusterPhase]}`, f)
  return rows
}

function storageRows (r: ClusterResult): Row[] {
  const rows: Row[] = [['site', 'store/ MiB', `status MiB on ${r.cluster.restoreSite}`, `on ${r.cluster.backupSite}`, 'data dir MiB']]
  for (const s of r.storage) rows.push([s.name, mib(s.storeBytes), mib(s.statusBytes), mib(s.statusBytesOnBackupSite), mib(s.dataDirBytes)])
  return rows
}

/** Bars of one metric per phase: resilien and each peer. */
function phaseBars (r: ClusterResult, title: string, unit: string, get: (f: PhaseFigures) => number | undefined): Chart {
  return {
    kind: 'bars',
    spec: {
      title,
      unit,
      groups: phasesOf(r).map((phase) => ({
        label: PHASE_LABEL[phase],
        values: [
          { series: 'resilien', value: get(r.resilien[phase] as PhaseFigures) },
          ...r.peers.map((p) => {
            const f = p.phases[PEER_PHASE_OF[phase]]
            return { series: p.tool, value: f === undefined ? undefined : get(f) }
          })
        ]
      }))
    }
  }
}

/** The cluster scenario's report: header, comparison, processes, targets, steps, storage; charts in HTML. */
export function clusterSections (r: ClusterResult, m: MachineInfo, quick: boolean, scenario = 'cluster'): ReportSection[] {
  const c = r.cluster
  const d1 = r.dataset.day1
  const header = reportHeader(scenario, quick, m, r.dataset)
  if (d1 !== undefined) header.push(`next day: ${d1.files} files, ${(d1.bytes / 1e6).toFixed(0)} MB, ${(d1.writtenBytes / 1e6).toFixed(1)} MB written`)
  header.push(`resilien: ${c.sites.length} sites on this machine (loopback), repository ${c.k}+${c.m}, KDF ${c.env.RESILIEN_KDF ?? 'default'}; ` +
    `backups on ${c.backupSite}; restore with all up on ${c.restoreAllUpSite}, then kill -9 of ${c.backupSite} and restore on ${c.restoreSite}`)
  header.push(`  repo create ${c.repoCreateSeconds.toFixed(1)} s; idle node RSS ${Object.entries(c.idleRssBytes).map(([s, b]) => `${s} ${(b / MiB).toFixed(0)} MiB`).join(', ')}`)
  for (const p of r.peers) header.push(`${p.tool}: ${p.version}; compression ${p.compression}; encryption ${p.encryption}; repository on the same disk`)
  for (const line of r.skippedPeers) header.push(line)
  const redundancy = c.statusAfterKill?.redundancy
  if (redundancy !== undefined) {
    header.push(`after the kill, on ${c.restoreSite}: stripes ${redundancy.stripes} (full ${redundancy.full}, degraded ${redundancy.degraded}, ` +
      `at risk ${redundancy.atRisk}, lost ${redundancy.lost}); ${c.backupSite} ${c.statusAfterKill?.sites.find((s) => s.name === c.backupSite)?.up === true ? 'still seen up' : 'seen down'}`)
  }
  const targets: Row[] = [['target', 'resilien', 'restic', 'ratio', 'target', 'met'], ...r.targets.map(targetRow).map((row) => [row[0]?.replace(/^target: /, '') ?? '', ...row.slice(1)])]
  const sections: ReportSection[] = [
    { lines: header },
    {
      title: 'resilien and its peers, same data, same run',
      tables: [{ rows: comparisonTable(r) }],
      charts: [
        phaseBars(r, 'Throughput per phase (MB/s of source, higher is better)', 'MB/s', (f) => f.mbPerSecond),
        phaseBars(r, 'CPU per GB of source, every process (lower is better)', 'CPU s/GB', (f) => cpuPerGb(f))
      ]
    },
    { title: 'CPU and peak RSS of every process', tables: [{ rows: processTable(r) }] },
    { title: 'targets (against restic)', tables: [{ rows: targets }] },
    {
      title: 'where the time goes (resilien)',
      tables: [{ rows: stepRows(c.sites, r.steps) }],
      ...(r.memory === undefined ? {} : { charts: [memoryChart('Memory over time: RSS of every process (with its children), steps shaded', r.memory)] })
    },
    { title: 'stored per site', tables: [{ rows: storageRows(r) }] },
    {
      lines: [
        'Backups: wall time of the command; CPU of every node from its start until they are idle again, plus the CLI; stored: growth of every site\'s store/; ' +
          'sent: TCP bytes the nodes sent each other. Restores: the running nodes and the CLI. Peers: their one process (GNU time), their repository\'s growth.',
        ...r.warnings.map((w) => `warning: ${w}`)
      ]
    }
  ]
  return sections
}
