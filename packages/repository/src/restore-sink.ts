import { unlinkSync } from 'node:fs'
import { IntegrityError, noteDroppedBytes } from '@resilien/types'
import { BlobType, ID_LENGTH } from './format.js'
import { openBlob } from './open-blob.js'
import type { BlobKeys } from './open-blob.js'
import { FileJob, OpenFiles, finishDir, finishFile, writeSparse } from './restore-files.js'
import type { FileMetadata } from './restore-files.js'
import { fullDiskError } from './restore-room.js'

/** Plaintext of one file's consecutive chunks written in one call. */
const WRITE_RUN_BYTES = 1024 * 1024
/** Warnings one call reports at most (the restore keeps the first hundred anyway). */
const MAX_WARNINGS = 100

/** A file the restore will write: the main thread names it by a number in later calls. */
export interface SinkFile extends FileMetadata {
  id: number
  /** The destination path's bytes (names need not be UTF-8). */
  dest: Uint8Array
  /** Chunks it has: it is finished when the last is written; 0 finishes it at once. */
  chunks: number
  /** The length the snapshot records, to warn when the chunks say otherwise. */
  size: number
}

/** A folder that gets its metadata once everything below it is restored. */
export interface SinkDir extends FileMetadata {
  dest: Uint8Array
}

/** Of the sealed blobs of one pack that a window needs (sent beside it), what each is and where it goes. */
export interface SinkPack {
  /** Blob ids, 32 bytes each, in the order of the blobs. */
  ids: Uint8Array
  /** Per blob: file id and position pairs, flattened ([file, position, file, position, ...]). */
  targets: number[][]
}

/** What a call did: files finished (or given up after a file system error), plaintext bytes placed, problems met. */
export interface SinkReport {
  finished: number[]
  failed: number[]
  bytes: number
  warnings: string[]
}

/**
 * The writing half of a restore: it opens sealed blobs (seal, decompression, chunk id) and writes
 * their plaintext into files, and finishes each file (length, owner, mode, mtime) once its last
 * chunk is in. The main thread walks the trees, plans and fetches packs; this part runs in a
 * seal-pool worker (or inline without one), so that on two cores decrypting and writing no
 * longer share a thread with fetching.
 *
 * File system errors are per file: the file is reported (a warning) and its later chunks are
 * opened and verified but not written. Data errors are per file too, as restic has them: a blob
 * that does not open or verify, or one whose pack could not be read (`lost`), leaves every file
 * that needs it unrestored. Such a file is reported and removed once its other chunks have
 * passed, so that no file with a hole where its data should be looks restored.
 */
export class RestoreSink {
  private readonly jobs = new Map<number, { job: FileJob, size: number }>()
  private readonly files = new OpenFiles()
  private report: SinkReport = emptyReport()

  constructor (private readonly keys: BlobKeys) {}

  /** Files that later packs write into; empty files are made and finished now. */
  add (files: readonly SinkFile[]): SinkReport {
    for (const f of files) {
      const job = new FileJob(Buffer.from(f.dest), f.chunks, f)
      this.jobs.set(f.id, { job, size: f.size })
      if (f.chunks === 0) this.finish(f.id)
    }
    return this.take()
  }

  /** Opens every one of `sealed` (`pack` says what each is), writes it wherever it goes, finishes files. */
  write (sealed: readonly Uint8Array[], pack: SinkPack): SinkReport {
    // A file's chunks usually sit one after another in a pack: they leave in one writev.
    let run: { file: number, position: number, end: number, pieces: Uint8Array[] } | undefined
    const flush = (): void => {
      if (run === undefined) return
      const { file, position, pieces } = run
      run = undefined
      this.place(file, position, pieces)
    }
    let bytes = 0
    for (let i = 0; i < sealed.length; i++) {
      const blob = sealed[i] as Uint8Array
      const id = pack.ids.subarray(i * ID_LENGTH, (i + 1) * ID_LENGTH)
      const targets = pack.targets[i] as number[]
      bytes += blob.byteLength
      let plain: Uint8Array
      try {
        plain = openBlob(this.keys, { id, type: BlobType.data }, blob)
      } catch (err) {
        if (!(err instanceof IntegrityError)) throw err
        flush()
        this.lose(targets, err.message)
        continue
      }
      for (let t = 0; t < targets.length; t += 2) {
        const file = targets[t] as number
        const position = targets[t + 1] as number
        if (run !== undefined && (run.file !== file || run.end !== position || run.end - run.position >= WRITE_RUN_BYTES)) flush()
        run ??= { file, position, end: position, pieces: [] }
        run.pieces.push(plain)
        run.end += plain.byteLength
      }
    }
    flush()
    // The opened plaintexts (one buffer per chunk) are dead now, and so are the shards the blobs
    // came in once the caller drops them (a worker's message, when this returns).
    noteDroppedBytes(2 * bytes)
    return this.take()
  }

  /**
   * Blobs that could not be read (their pack was unreadable): `targets` as SinkPack's, one list
   * per blob. The files they go into are not restored; `why` is said once per file.
   */
  lost (targets: readonly number[][], why: string): SinkReport {
    for (const list of targets) this.lose(list, why)
    return this.take()
  }

  /**
   * Gives folders their owner, mode and mtime, children before parents (the caller's order),
   * after every file is written. A folder that is not there could not be made, which was
   * reported then.
   */
  finishDirs (dirs: readonly SinkDir[]): SinkReport {
    for (const dir of dirs) {
      const dest = Buffer.from(dir.dest)
      try {
        finishDir(dest, dir)
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code
        if (code === undefined) throw err
        const full = fullDiskError(dest, err)
        if (full !== undefined) throw full
        if (code !== 'ENOENT') this.warn(`${dest.toString()}: ${(err as Error).message}`)
      }
    }
    return this.take()
  }

  /** Closes what is still open (the restore ended or failed); what is left to report. */
  close (): SinkReport {
    this.files.closeAll()
    this.jobs.clear()
    return this.take()
  }

  /** One blob's places that will never be written: each file is lost, and its chunk counted done. */
  private lose (targets: readonly number[], why: string): void {
    for (let t = 0; t < targets.length; t += 2) {
      const id = targets[t] as number
      const entry = this.jobs.get(id)
      if (entry === undefined) throw new Error(`restore: chunks for file ${id}, which was never announced`)
      const { job } = entry
      if (!job.lost && !job.failed) this.warn(`${job.dest.toString()}: not restored: ${why}`)
      job.lost = true
      job.failed = true
      job.remaining--
      if (job.remaining === 0) this.finish(id)
    }
  }

  /** Writes chunks that follow one another in one file, then counts them done. */
  private place (id: number, position: number, pieces: Uint8Array[]): void {
    const entry = this.jobs.get(id)
    if (entry === undefined) throw new Error(`restore: chunks for file ${id}, which was never announced`)
    const { job } = entry
    let bytes = 0
    for (const piece of pieces) bytes += piece.byteLength
    job.length = Math.max(job.length, position + bytes)
    if (!job.failed) this.attempt(job, () => writeSparse(this.files.fd(job), pieces, position))
    this.report.bytes += bytes
    job.remaining -= pieces.length
    if (job.remaining === 0) this.finish(id)
  }

  private finish (id: number): void {
    const entry = this.jobs.get(id)
    if (entry === undefined) return
    this.jobs.delete(id)
    const { job, size } = entry
    if (!job.failed) {
      this.attempt(job, () => finishFile(this.files, job))
      if (!job.failed && job.length !== size) this.warn(`${job.dest.toString()}: restored ${job.length} bytes, the snapshot says ${size}`)
    }
    if (job.failed) {
      this.attempt(job, () => this.files.close(job))
      if (job.lost && job.created) this.attempt(job, () => removeFile(job.dest))
      this.report.failed.push(id)
    } else {
      this.report.finished.push(id)
    }
  }

  /** Runs a file system call for `job`; an error with a system code fails that file alone. */
  private attempt (job: FileJob, work: () => void): void {
    try {
      work()
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === undefined) throw err
      const full = fullDiskError(job.dest, err)
      if (full !== undefined) throw full
      if (!job.failed) this.warn(`${job.dest.toString()}: ${(err as Error).message}`)
      job.failed = true
    }
  }

  private warn (message: string): void {
    if (this.report.warnings.length < MAX_WARNINGS) this.report.warnings.push(message)
  }

  private take (): SinkReport {
    const report = this.report
    this.report = emptyReport()
    return report
  }
}

function emptyReport (): SinkReport {
  return { finished: [], failed: [], bytes: 0, warnings: [] }
}

/** Removes a file this restore created; one already gone is fine. */
function removeFile (dest: Buffer): void {
  try {
    unlinkSync(dest)
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err
  }
}
