import { closeSync, mkdirSync, openSync, readdirSync, renameSync, rmdirSync, rmSync, utimesSync, writeSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { NoiseStream, mediaHeader } from './binary.js'
import { documentContent } from './documents.js'
import { logPieces } from './server-log.js'
import { sqlDumpPieces } from './sql-dump.js'
import { Rng } from './prng.js'
import { contentKey } from './file-spec.js'
import type { DatasetPlan, FileSpec } from './file-spec.js'

/** Noise is generated and written in pieces of this size: large writes, bounded memory. */
const NOISE_PIECE = 4 * 1024 * 1024
const JPEG_END = Buffer.from([0xff, 0xd9])

function * noisePieces (f: FileSpec): Generator<Uint8Array> {
  const rng = new Rng(f.seed)
  const kind = f.kind === 'preview' || f.kind === 'jpeg' || f.kind === 'video' ? f.kind : 'archive'
  const head = mediaHeader(kind, rng).subarray(0, f.size)
  yield head
  const trailer = kind === 'jpeg' || kind === 'preview' ? JPEG_END.subarray(0, Math.max(0, f.size - head.byteLength)) : Buffer.alloc(0)
  const noise = new NoiseStream(rng.u32())
  let left = f.size - head.byteLength - trailer.byteLength
  const piece = Buffer.allocUnsafe(Math.min(NOISE_PIECE, Math.max(left, 0)))
  while (left > 0) {
    const out = piece.subarray(0, Math.min(left, piece.byteLength))
    noise.fill(out)
    yield out
    left -= out.byteLength
  }
  yield trailer
}

/** The bytes of one file, in pieces; `from` skips a prefix (appending to a log). */
export function contentPieces (f: FileSpec, plan: DatasetPlan, from = 0): Iterable<Uint8Array> {
  switch (f.kind) {
    case 'markdown':
    case 'text':
    case 'office':
    case 'csv':
    case 'pdf':
      return [documentContent(f.kind, f.seed, f.edit, f.size)]
    case 'log':
      return logPieces(f.seed, f.size, from)
    case 'sql':
      return sqlDumpPieces({ seed: f.seed, day: f.edit, ...plan.sqlRows })
    default:
      return noisePieces(f)
  }
}

class TreeWriter {
  private readonly madeDirs = new Set<string>()
  bytes = 0

  constructor (readonly root: string) {}

  ensureDir (dir: string): void {
    if (this.madeDirs.has(dir)) return
    mkdirSync(dir, { recursive: true })
    this.madeDirs.add(dir)
  }

  write (f: FileSpec, plan: DatasetPlan, append = 0): void {
    const path = join(this.root, f.path)
    this.ensureDir(dirname(path))
    const fd = openSync(path, append > 0 ? 'a' : 'w')
    try {
      for (const piece of contentPieces(f, plan, append)) {
        let off = 0
        while (off < piece.byteLength) off += writeSync(fd, piece, off, piece.byteLength - off)
        this.bytes += piece.byteLength
      }
    } finally {
      closeSync(fd)
    }
    setMtime(path, f.mtimeMs)
  }
}

function setMtime (path: string, mtimeMs: number): void {
  const t = mtimeMs / 1000
  utimesSync(path, t, t)
}

/** Writes day `plan.day`'s tree into `root` (created if needed). Returns the bytes written. */
export function writeDataset (root: string, plan: DatasetPlan): number {
  const w = new TreeWriter(root)
  for (const f of plan.files) w.write(f, plan)
  return w.bytes
}

/** Removes `dir` and its parents while they are empty, up to (not including) `root`. */
function pruneEmptyDirs (root: string, dir: string): void {
  while (dir.length > root.length && dir.startsWith(root)) {
    if (readdirSync(dir).length > 0) return
    rmdirSync(dir)
    dir = dirname(dir)
  }
}

/**
 * Turns the tree of `prev` in `root` into the tree of `next` with the fewest changes: unchanged
 * files are not touched (same inode, same ctime), moved files are renamed, grown logs are
 * appended to, the rest is written or deleted. Returns the bytes written.
 */
export function applyNextDay (root: string, prev: DatasetPlan, next: DatasetPlan): number {
  const w = new TreeWriter(root)
  const before = new Map(prev.files.map((f) => [f.path, f]))
  const after = new Set(next.files.map((f) => f.path))
  // Files whose path disappears: their bytes may reappear elsewhere (a rename).
  const vacated = new Map<string, string[]>()
  for (const f of prev.files) {
    if (after.has(f.path)) continue
    const key = contentKey(f)
    vacated.set(key, [...(vacated.get(key) ?? []), f.path])
  }
  // Park the movable files first, so that renames never collide with each other.
  const staging = `${root}.staging`
  mkdirSync(staging, { recursive: true })
  const parked = new Map<string, string[]>()
  let n = 0
  const touchedDirs = new Set<string>()
  for (const [key, paths] of vacated) {
    for (const p of paths) {
      const tmp = join(staging, String(n++))
      renameSync(join(root, p), tmp)
      touchedDirs.add(dirname(join(root, p)))
      parked.set(key, [...(parked.get(key) ?? []), tmp])
    }
  }
  for (const f of next.files) {
    const old = before.get(f.path)
    if (old !== undefined && contentKey(old) === contentKey(f) && old.mtimeMs === f.mtimeMs) continue
    const target = join(root, f.path)
    if (old !== undefined && old.kind === 'log' && f.kind === 'log' && old.seed === f.seed && f.size > old.size) {
      w.write(f, next, old.size)
      continue
    }
    const source = old === undefined || contentKey(old) !== contentKey(f) ? parked.get(contentKey(f))?.pop() : undefined
    if (source !== undefined) {
      w.ensureDir(dirname(target))
      renameSync(source, target)
      setMtime(target, f.mtimeMs)
    } else {
      w.write(f, next)
    }
  }
  rmSync(staging, { recursive: true, force: true })
  for (const dir of touchedDirs) pruneEmptyDirs(root, dir)
  return w.bytes
}
