import type { MachineInfo } from '../machine.js'
import type { PruneBenchResult, PruneRun } from './prune-types.js'
import { formatRows, num, reportHeader, targetRow } from './report-table.js'
import type { Row } from './report-table.js'

const MB = 1e6
const MiB = 1024 * 1024

/** The figures of each size, one column per size: a number with its decimals, or a text. */
const FIGURES: ReadonlyArray<readonly [string, (r: PruneRun) => number | string | undefined, number]> = [
  ['source MB (day 0)', (r) => r.dataset.day0.bytes / MB, 0],
  ['files (day 0)', (r) => r.dataset.day0.files, 0],
  ['backups: total s', (r) => r.backups.reduce((n, b) => n + b.seconds, 0), 1],
  ['backups: packed MB', (r) => r.backups.reduce((n, b) => n + b.packedBytes, 0) / MB, 0],
  ['stored MiB before (status)', (r) => r.storedBeforeBytes / MiB, 1],
  ['stored MiB just after', (r) => r.storedAfterBytes / MiB, 1],
  ['data dir MiB before', (r) => r.dataDirBeforeBytes / MiB, 1],
  ['data dir MiB just after', (r) => r.dataDirAfterBytes / MiB, 1],
  ['snapshots kept / removed', (r) => `${r.snapshotsKept} / ${r.snapshotsRemoved}`, 0],
  ['prune: packs looked at', (r) => r.prune?.packs, 0],
  ['prune: packsDeleted', (r) => r.prune?.packsDeleted, 0],
  ['prune: packsRepacked', (r) => r.prune?.packsRepacked, 0],
  ['prune: packedBytesFreed MB', (r) => r.prune === undefined ? undefined : r.prune.packedBytesFreed / MB, 1],
  ['prune: bytesRepacked MB', (r) => r.prune === undefined ? undefined : r.prune.bytesRepacked / MB, 1],
  ['prune: referencedBlobs', (r) => r.prune?.referencedBlobs, 0],
  ['forget + prune wall s', (r) => r.seconds, 1],
  ['node CPU s', (r) => r.nodeCpuSeconds, 1],
  ['CLI CPU s', (r) => r.cliCpuSeconds, 1],
  ['node RSS MiB idle', (r) => r.idleRssBytes / MiB, 0],
  ['node RSS MiB after the backups', (r) => r.rssAfterBackupsBytes / MiB, 0],
  ['node RSS MiB before the command (restarted)', (r) => r.rssBeforeBytes / MiB, 0],
  ['node peak RSS MiB (VmHWM)', (r) => r.peakRssBytes / MiB, 0],
  ['LevelDB tables resident just after, MiB', (r) => r.leveldbMappedBytes / MiB, 1]
]

function figureRows (runs: readonly PruneRun[]): Row[] {
  const rows: Row[] = [['figure', ...runs.map((r) => `${r.factor}x (${(r.dataset.day0.bytes / MiB).toFixed(0)} MiB)`)]]
  for (const [label, get, digits] of FIGURES) {
    rows.push([label, ...runs.map((r) => {
      const x = get(r)
      return typeof x === 'string' ? x : num(x, digits)
    })])
  }
  return rows
}

export function formatPrune (r: PruneBenchResult, m: MachineInfo, quick: boolean): string {
  const lines = reportHeader('prune', quick, m, r.dataset)
  lines.push(`resilien: one site per size (init + start), repository main with the default coding, KDF ${r.kdf} ` +
    '(RESILIEN_KDF=test: scrypt\'s memory would hide prune\'s own)')
  lines.push(`  per size: day 0 backed up, then ${r.snapshots - 1} times ${(r.rewriteShare * 100).toFixed(0)} % of the bytes rewritten with new content and backed up; ` +
    `then \`forget main --keep-last ${r.keepLast} --prune\`, the node restarted after the backups and its VmHWM reset just before the command`)
  lines.push('  "just after": the repack\'s new packs are stored, the deleted packs\' shards not yet removed (shard GC does it after RESILIEN_GC_GRACE)')
  lines.push('', formatRows(figureRows(r.runs)), '')
  const targets: Row[] = [['target', 'ours', '1x', 'ratio', 'target', 'met'], ...r.targets.map(targetRow)]
  lines.push(formatRows(targets))
  for (const w of r.warnings) lines.push(`warning: ${w}`)
  return lines.join('\n')
}
