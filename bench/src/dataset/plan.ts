import { Rng, mixAll } from './prng.js'
import { wordIndex, wordString } from './vocabulary.js'
import { sqlRowsForBytes } from './sql-dump.js'
import { USERS, DAY_ZERO_MS, DAY_MS, HISTORY_MS, DOCUMENT_FOLDERS, DATA_ROOT, APPDATA, sqlDumpPath } from './layout.js'
import type { DatasetOptions, DatasetPlan, FileKind, FileSpec } from './file-spec.js'

const KiB = 1024
const MiB = 1024 * KiB

/** Share of day 0's bytes in the SQL dump, and in each big file. */
export const SQL_SHARE = 0.15
const BIG_FILES: ReadonlyArray<{ path: string, kind: FileKind, share: number }> = [
  { path: `${DATA_ROOT}/${USERS[0] ?? ''}/files/Videos/holiday-2024.mp4`, kind: 'video', share: 0.06 },
  { path: `${DATA_ROOT}/${USERS[1] ?? ''}/files/Backups/photos-2019.zip`, kind: 'archive', share: 0.05 },
  { path: `${DATA_ROOT}/nextcloud.log`, kind: 'log', share: 0.02 }
]
/** Smallest file the size scaling may produce. */
const MIN_FILE = 64

/**
 * Small files by kind: share of draws, and a log-normal size (median, shape) clamped to
 * [min, max]. The medians and shapes give thousands of files per GiB with a long tail, media
 * holding most of the bytes, as on a real Nextcloud.
 */
interface SmallKind {
  kind: FileKind
  share: number
  median: number
  sigma: number
  min: number
  max: number
}
const SMALL_KINDS: readonly SmallKind[] = [
  { kind: 'markdown', share: 0.28, median: 4 * KiB, sigma: 1.2, min: 200, max: 2 * MiB },
  { kind: 'text', share: 0.06, median: 3 * KiB, sigma: 1.2, min: 100, max: 2 * MiB },
  { kind: 'office', share: 0.10, median: 24 * KiB, sigma: 1.0, min: 2 * KiB, max: 4 * MiB },
  { kind: 'csv', share: 0.04, median: 8 * KiB, sigma: 1.3, min: 200, max: 8 * MiB },
  { kind: 'pdf', share: 0.05, median: 150 * KiB, sigma: 1.2, min: 8 * KiB, max: 32 * MiB },
  { kind: 'jpeg', share: 0.14, median: 1 * MiB, sigma: 0.5, min: 100 * KiB, max: 12 * MiB },
  { kind: 'video', share: 0.01, median: 4 * MiB, sigma: 0.8, min: 256 * KiB, max: 64 * MiB }
]
const TOTAL_SHARE = SMALL_KINDS.reduce((n, k) => n + k.share, 0)
/** Every photo gets Nextcloud previews: the "max" one and a 256 px crop. */
const PREVIEW_MAX = { median: 60 * KiB, sigma: 0.4 }
const PREVIEW_CROP = { median: 10 * KiB, sigma: 0.3 }
/** Share of documents edited before day 0; their older versions sit in files_versions. */
const EDITED_DOCUMENT_SHARE = 0.15
const MAX_PRIOR_EDITS = 3

const EXTENSIONS: Partial<Record<FileKind, string>> = {
  markdown: 'md', text: 'txt', office: 'fodt', csv: 'csv', pdf: 'pdf', jpeg: 'jpg', video: 'mp4'
}
const DOCUMENT_KINDS: ReadonlySet<FileKind> = new Set(['markdown', 'text', 'office', 'csv'])

export function isEditable (kind: FileKind): boolean {
  return DOCUMENT_KINDS.has(kind)
}

function capitalised (s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1)
}

function word (rng: Rng): string {
  return wordString(wordIndex(rng.u32()))
}

const pad = (n: number, w = 2): string => String(n).padStart(w, '0')

/** Draws names and places of new files; keeps paths unique within one plan. */
export class FileFactory {
  constructor (private readonly options: DatasetOptions, private readonly taken: Set<string>) {}

  private unique (path: string): string {
    if (!this.taken.has(path)) {
      this.taken.add(path)
      return path
    }
    const dot = path.lastIndexOf('.')
    for (let n = 2; ; n++) {
      const p = `${path.slice(0, dot)}-${n}${path.slice(dot)}`
      if (!this.taken.has(p)) {
        this.taken.add(p)
        return p
      }
    }
  }

  private size (rng: Rng, median: number, sigma: number, min: number, max: number): number {
    const raw = Math.min(max, Math.max(min, rng.logNormal(median, sigma)))
    return Math.max(MIN_FILE, Math.round(raw / this.options.filesScale))
  }

  private folder (rng: Rng, user: string): string {
    let dir = `${DATA_ROOT}/${user}/files/${rng.pick(DOCUMENT_FOLDERS)}/${capitalised(word(rng))}`
    if (rng.chance(0.3)) dir += `/${capitalised(word(rng))}`
    return dir
  }

  /** One small file (a photo brings its previews): its specs, with mtimes at `mtimeMs`. */
  draw (rng: Rng, mtimeMs: number, cameraDay?: number): FileSpec[] {
    let r = rng.float() * TOTAL_SHARE
    let k = SMALL_KINDS[0] as SmallKind
    for (const candidate of SMALL_KINDS) {
      k = candidate
      if ((r -= candidate.share) < 0) break
    }
    const user = rng.pick(USERS)
    const seed = rng.u32()
    const size = this.size(rng, k.median, k.sigma, k.min, k.max)
    const ext = EXTENSIONS[k.kind] ?? 'bin'
    const when = new Date(cameraDay === undefined ? mtimeMs : DAY_ZERO_MS + (cameraDay - 1) * DAY_MS + rng.int(DAY_MS))
    const stamp = `${when.getUTCFullYear()}${pad(when.getUTCMonth() + 1)}${pad(when.getUTCDate())}_${pad(when.getUTCHours())}${pad(when.getUTCMinutes())}${pad(when.getUTCSeconds())}`
    let path: string
    if (k.kind === 'jpeg') {
      path = cameraDay === undefined
        ? `${DATA_ROOT}/${user}/files/Photos/${when.getUTCFullYear()}/${pad(when.getUTCMonth() + 1)}/IMG_${stamp}.jpg`
        : `${DATA_ROOT}/${user}/files/InstantUpload/Camera/IMG_${stamp}.jpg`
    } else if (k.kind === 'video') {
      path = `${DATA_ROOT}/${user}/files/Videos/VID_${stamp}.mp4`
    } else {
      path = `${this.folder(rng, user)}/${word(rng)}-${word(rng)}${rng.chance(0.3) ? `-${rng.int(100)}` : ''}.${ext}`
    }
    const mtime = Math.floor(mtimeMs / 1000) * 1000
    const out: FileSpec[] = [{ path: this.unique(path), kind: k.kind, seed, edit: 0, size, mtimeMs: mtime }]
    if (k.kind === 'jpeg') {
      const fileId = 1000 + rng.int(9_000_000)
      const hashDirs = mixAll(seed, 7).toString(16).padStart(8, '0').slice(0, 7).split('').join('/')
      const dir = `${APPDATA}/preview/${hashDirs}/${fileId}`
      out.push({ path: this.unique(`${dir}/4032-3024-max.jpg`), kind: 'preview', seed: rng.u32(), edit: 0, size: this.size(rng, PREVIEW_MAX.median, PREVIEW_MAX.sigma, 8 * KiB, MiB), mtimeMs: mtime })
      out.push({ path: this.unique(`${dir}/256-256-crop.jpg`), kind: 'preview', seed: rng.u32(), edit: 0, size: this.size(rng, PREVIEW_CROP.median, PREVIEW_CROP.sigma, 2 * KiB, 64 * KiB), mtimeMs: mtime })
    }
    return out
  }
}

/** Where Nextcloud keeps the old version of `path` (a user's file) last modified at `mtimeMs`. */
export function versionPath (path: string, mtimeMs: number): string | undefined {
  const m = /^([^/]+\/[^/]+)\/files\/(.+)$/.exec(path)
  if (m === null) return undefined
  return `${m[1] ?? ''}/files_versions/${m[2] ?? ''}.v${Math.floor(mtimeMs / 1000)}`
}

/** Day 0: the whole tree, as specs. Pure: the same options give the same plan. */
export function planDayZero (options: DatasetOptions): DatasetPlan {
  const rng = new Rng(mixAll(options.seed, 0x0d0))
  const taken = new Set<string>()
  const files: FileSpec[] = []
  const history = (): number => DAY_ZERO_MS - DAY_MS - rng.int(HISTORY_MS)
  for (const big of BIG_FILES) {
    taken.add(big.path)
    files.push({ path: big.path, kind: big.kind, seed: rng.u32(), edit: 0, size: Math.round(options.size * big.share), mtimeMs: Math.floor(history() / 1000) * 1000 })
  }
  const sqlBytes = Math.round(options.size * SQL_SHARE)
  const sqlRows = sqlRowsForBytes(options.seed, sqlBytes)
  const sqlPath = sqlDumpPath(0)
  taken.add(sqlPath)
  files.push({ path: sqlPath, kind: 'sql', seed: options.seed, edit: 0, size: sqlBytes, mtimeMs: DAY_ZERO_MS - 30 * 60 * 1000 })

  let total = files.reduce((n, f) => n + f.size, 0)
  const factory = new FileFactory(options, taken)
  while (total < options.size) {
    for (const f of factory.draw(rng, history())) {
      // Some documents were edited already: the current file is edit N, versions hold 0..N-1.
      if (isEditable(f.kind) && rng.chance(EDITED_DOCUMENT_SHARE)) {
        f.edit = rng.range(1, MAX_PRIOR_EDITS)
        for (let e = 0; e < f.edit; e++) {
          const mtimeMs = f.mtimeMs - (f.edit - e) * DAY_MS
          const vp = versionPath(f.path, mtimeMs)
          if (vp === undefined || taken.has(vp)) continue
          taken.add(vp)
          files.push({ ...f, path: vp, edit: e, mtimeMs })
          total += f.size
        }
      }
      files.push(f)
      total += f.size
    }
  }
  return { options, day: 0, files, sqlRows }
}
