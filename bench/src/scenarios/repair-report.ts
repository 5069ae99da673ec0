import type { MachineInfo } from '../machine.js'
import { stepRows } from './cluster-report.js'
import { REPAIR_STEP } from './repair-types.js'
import type { RepairResult, RepairRun } from './repair-types.js'
import { formatRows, num, reportHeader } from './report-table.js'
import type { Row } from './report-table.js'

const MB = 1e6
const MiB = 1024 * 1024

/** The survivors: the sites that took part in the repair. */
function survivorsOf (run: RepairRun): string[] {
  return run.sites.filter((s) => s !== run.lostSite)
}

/** One row per run: rebuilt bytes, time, MB/s, and each survivor's CPU and peak RSS during the repair. */
function summaryRows (runs: readonly RepairRun[]): Row[] {
  const survivors = runs[0] === undefined ? [] : survivorsOf(runs[0])
  const rows: Row[] = [['repair cap', 'rebuilt MB', 'seconds', 'MB/s', ...survivors.map((s) => `${s} CPU s`), 'total CPU s', `RSS MiB at start ${survivors.join('/')}`, `peak RSS MiB ${survivors.join('/')}`]]
  for (const run of runs) {
    const step = run.steps.find((s) => s.name === REPAIR_STEP.repair)
    const cpu = survivors.map((s) => step?.cpuSeconds[s])
    rows.push([
      run.repairRate,
      num(run.rebuiltBytes / MB, 1),
      num(run.repairSeconds, 1),
      num(run.mbPerSecond, 1),
      ...cpu.map((x) => num(x, 1)),
      num(cpu.reduce<number>((n, x) => n + (x ?? 0), 0), 1),
      survivors.map((s) => num((run.rssAtRepairStartBytes[s] ?? Number.NaN) / MiB, 0)).join('/'),
      survivors.map((s) => num(step === undefined ? undefined : (step.peakRssBytes[s] ?? Number.NaN) / MiB, 0)).join('/')
    ])
  }
  return rows
}

/** Shard bytes per site as site1's status reports them, before the kill and once repaired. */
function storedRows (run: RepairRun): Row[] {
  const rows: Row[] = [['site', 'before MiB', 'after MiB']]
  for (const s of run.sites) rows.push([s, num((run.storedBeforeBytes[s] ?? 0) / MiB, 1), num(run.storedAfterBytes[s] === undefined ? undefined : (run.storedAfterBytes[s] as number) / MiB, 1)])
  return rows
}

function redundancy (label: string, r: RepairRun['redundancyAtEnd']): string {
  return r === undefined ? `${label}: -` : `${label}: ${r.stripes} stripes, ${r.full} full, ${r.degraded} degraded, ${r.atRisk} at risk, ${r.lost} lost`
}

export function formatRepair (r: RepairResult, m: MachineInfo, quick: boolean): string {
  const lines = reportHeader('repair', quick, m, r.dataset)
  const run0 = r.runs[0]
  if (run0 !== undefined) {
    const first = run0.sites[0] ?? '-'
    lines.push(`resilien: ${run0.sites.length} sites on this machine (loopback), repository ${run0.k}+${run0.m}, KDF ${r.kdf} ` +
      '(RESILIEN_KDF=test: cheap key derivation, so that unlocking does not weigh on the figures)')
    lines.push(`  env: ${Object.entries(run0.env).filter(([k]) => k !== 'RESILIEN_REPAIR_RATE').map(([k, v]) => `${k}=${v}`).join(' ')}`)
    lines.push(`  backup on ${first}, kill -9 of ${run0.lostSite}, \`site lost ${run0.lostSite}\` on ${first}; repair time from \`site lost\` until status on ${first} ` +
      `shows every stripe full (probed every ${r.pollMs} ms); rebuilt bytes = the lost site's storedBytes before the kill; each run on a fresh cluster`)
  }
  lines.push('', formatRows(summaryRows(r.runs)))
  if (run0 !== undefined) {
    lines.push(`a repair cap limits the bytes each site sends: ${run0.sites.length - 1} survivors repair at once, so together up to ${run0.sites.length - 1} times the cap`)
  }
  for (const run of r.runs) {
    lines.push('', `repair cap ${run.repairRate}: backup ${run.backupSeconds.toFixed(1)} s, ${run.polls} status probes`)
    lines.push(`  ${redundancy('first probe after site lost', run.redundancyAtStart)}`, `  ${redundancy('after the repair settled', run.redundancyAtEnd)}`)
    lines.push(`  idle node RSS ${Object.entries(run.idleRssBytes).map(([s, b]) => `${s} ${(b / MiB).toFixed(0)} MiB`).join(', ')}`)
    lines.push(formatRows(storedRows(run)), '', formatRows(stepRows(run.sites, run.steps)))
  }
  lines.push('', 'CPU and peak RSS are each node\'s from /proc (VmHWM reset at the step\'s start); MB = 1e6 bytes. All on one disk and loopback.')
  for (const w of r.warnings) lines.push(`warning: ${w}`)
  return lines.join('\n')
}
