import { treeStats } from '../dataset/index.js'
import type { TimedRun } from '../process/timed-run.js'
import type { PeerSummary, PeerTool } from '../tools/peer-tool.js'
import type { BackupStats } from '../tools/resilien-site.js'
import type { PhaseFigures } from './phase-types.js'

const MB = 1e6
const MiB = 1024 * 1024

export function figures (sourceBytes: number, seconds: number, cpuSeconds: number, peakRssBytes: number): PhaseFigures {
  return { sourceBytes, seconds, mbPerSecond: sourceBytes / MB / seconds, cpuSeconds, peakRssBytes }
}

/** The CLI's CPU seconds, 0 when GNU time is missing (the nodes' CPU still counts). */
export function cliCpuSeconds (run: TimedRun): number {
  return Number.isNaN(run.cpuSeconds) ? 0 : run.cpuSeconds
}

/** Keeps what resilien's backup reports about itself beside the measured figures. */
export function addBackupStats (f: PhaseFigures, stats: BackupStats): void {
  f.newBytes = stats.newBytes
  f.packedBytes = stats.packedBytes
  f.notes = {
    ...f.notes,
    nodeReportedSeconds: stats.seconds,
    files: stats.files,
    unchangedFiles: stats.unchangedFiles,
    bytesRead: stats.bytesRead,
    newChunks: stats.newChunks,
    packs: stats.packs
  }
}

/** One command of a peer (restic, borg): its repository's growth, its CPU and memory (GNU time) and its own counters. */
export async function peerPhase (tool: Pick<PeerTool, 'repoDir' | 'name'>, sourceBytes: number, work: () => Promise<{ run: TimedRun, summary?: PeerSummary | undefined }>): Promise<PhaseFigures> {
  const before = treeStats(tool.repoDir).bytes
  const { run, summary } = await work()
  const f = figures(sourceBytes, run.seconds, run.cpuSeconds, run.maxRssBytes)
  f.storedBytes = treeStats(tool.repoDir).bytes - before
  f.cpuByProcessSeconds = { [tool.name]: run.cpuSeconds }
  f.peakRssByProcessBytes = { [tool.name]: run.maxRssBytes }
  if (summary !== undefined) f.notes = { ...summary }
  return f
}

/** One progress line: "  resilien first backup: 9.1 s, 118 MB/s, ...". */
export function describePhase (tool: string, phase: string, f: PhaseFigures): string {
  const stored = f.storedBytes === undefined ? '' : `, stored ${(f.storedBytes / MB).toFixed(1)} MB`
  return `  ${tool} ${phase}: ${f.seconds.toFixed(1)} s, ${f.mbPerSecond.toFixed(0)} MB/s, ${f.cpuSeconds.toFixed(1)} CPU s, peak RSS ${(f.peakRssBytes / MiB).toFixed(0)} MiB${stored}`
}
