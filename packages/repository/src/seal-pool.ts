import { availableParallelism } from 'node:os'
import { Worker } from 'node:worker_threads'
import { collectAll, ResilienError } from '@resilien/types'
import { runSealJob } from './seal-job.js'
import type { SealJob, SealResult } from './seal-job.js'
import type { FileTaskRequest, WorkerReply, WorkerRequest } from './worker-messages.js'
import { exclusionOf } from './exclude-rules.js'
import type { ExcludeRules } from './exclude-rules.js'
import { startScan } from './scanner.js'
import type { Scan, ScanTotals } from './scanner.js'
import { SealArena } from './seal-arena.js'
import { InlineRestoreWriter, WorkerRestoreWriter } from './restore-writer.js'
import type { RestoreWriter } from './restore-writer.js'
import type { BlobKeys } from './open-blob.js'
import { listDirExcluding } from './dir-listing.js'
import type { PathListing } from './dir-listing.js'

/** What the main thread does with a file task's messages. */
export interface FileTaskHandlers {
  /** A batch of chunk ids (32 bytes each) and their lengths: resolve to the indexes of those to seal. */
  onBatch: (ids: Uint8Array, lengths: number[], bytesRead: number) => Promise<number[]>
  /**
   * The sealed bytes of the chunks picked from the last batch, back to back: shared memory, valid
   * only until the returned promise settles (copy what is kept). `chosen`: a whole file sealed
   * before onBatch answered; keep only the blobs at these indexes (what onBatch picked).
   */
  onSealed: (sealed: Uint8Array, lengths: number[], chosen?: number[]) => Promise<void>
}

/** An error from a worker; `code` is the system error code (ENOENT, EACCES) when there is one. */
export class WorkerTaskError extends ResilienError {
  readonly code: string | undefined

  constructor (message: string, code?: string) {
    super(message, { permanent: code !== undefined })
    this.name = 'WorkerTaskError'
    this.code = code
  }
}

interface Task {
  onReply: (reply: WorkerReply) => void
}

interface PoolWorker {
  worker: Worker
  busy: number
  /** Where the worker leaves sealed chunks of file tasks. */
  arena: SealArena
}

/**
 * Worker threads that do the CPU work of a backup beside the main thread: whole files (read,
 * chunk, name, then seal the chunks the main thread reports as new), and seal jobs for blobs
 * the main thread made itself (trees, streams). On a 2-core board chunking, hashing and zstd
 * (WASM on Node 20: ~150 MB/s of text) would otherwise share one core with everything else.
 * With no worker (`size` 0) seal jobs run inline and files are read on the main thread.
 */
export class SealPool {
  private readonly workers: PoolWorker[] = []
  private readonly tasks = new Map<number, Task>()
  private seq = 0
  private closed = false
  private idleTimer: NodeJS.Timeout | undefined
  private settleTimer: NodeJS.Timeout | undefined
  private settleCount = 0

  /**
   * Workers start with the first task and stop after `idleMs` without one: a worker is an
   * isolate of its own (10-15 MiB while idle), and a storage site, or a site between two nightly
   * backups, has nothing for it to do. Starting one again costs about 50 ms.
   */
  constructor (private readonly configured: number, private readonly idleMs = DEFAULT_WORKER_IDLE_MS, private readonly settleMs = DEFAULT_SETTLE_MS) {}

  get size (): number {
    return this.configured
  }

  /** How many times the pool settled (see settle). */
  get settles (): number {
    return this.settleCount
  }

  /** Workers running now (0 before the first task and after an idle spell). */
  get running (): number {
    return this.workers.length
  }

  private start (): void {
    clearTimeout(this.idleTimer)
    this.idleTimer = undefined
    clearTimeout(this.settleTimer)
    this.settleTimer = undefined
    if (this.closed || this.workers.length >= this.configured) return
    for (let i = this.workers.length; i < this.configured; i++) {
      const arena = SealArena.create()
      const worker = new Worker(new URL('./seal-worker.js', import.meta.url), { workerData: { arena: arena.share } })
      // Idle workers must not keep a finished process alive.
      worker.unref()
      worker.on('message', (reply: WorkerReply) => {
        const task = this.tasks.get(reply.seq)
        if (task !== undefined) task.onReply(reply)
        // Sealed chunks of a task that is over: nobody will read them.
        else if (reply.kind === 'sealed' && 'slot' in reply) arena.free(reply.slot)
      })
      // A worker that died (an uncaught error, out of memory) leaves the pool, and every task in
      // flight fails (the job they belong to is broken anyway): left in, the worker would be
      // picked again, and tasks posted to it would never be answered. The next task starts a
      // fresh one.
      const died = (err: Error): void => {
        const at = this.workers.findIndex((w) => w.worker === worker)
        if (at < 0) return
        this.workers.splice(at, 1)
        this.failAll(err)
      }
      worker.on('error', died)
      worker.on('exit', (code) => { died(new WorkerTaskError(`a seal worker stopped (exit code ${code})`)) })
      this.workers.push({ worker, busy: 0, arena })
    }
  }

  /** A task is over: with none left, the pool settles after settleMs and the workers stop after the idle time. */
  private taskDone (seq: number): void {
    this.tasks.delete(seq)
    if (this.tasks.size > 0 || this.workers.length === 0 || this.closed) return
    clearTimeout(this.idleTimer)
    this.idleTimer = setTimeout(() => { void this.stopWorkers() }, this.idleMs)
    this.idleTimer.unref()
    clearTimeout(this.settleTimer)
    this.settleTimer = setTimeout(() => { this.settle() }, this.settleMs)
    this.settleTimer.unref()
  }

  /**
   * The data path went quiet (a backup, restore or prune is over, or waits on the network):
   * workers let go of their spare buffers and collect, and so does this thread, where the job's
   * packs and shards died. Without it a node that just backed up holds 50-70 MiB more until V8
   * collects on its own (measured in bench/README.md), and the next job starts from there.
   */
  private settle (): void {
    this.settleTimer = undefined
    if (this.tasks.size > 0 || this.closed) return
    this.settleCount++
    for (const w of this.workers) this.send(w, { seq: 0, type: 'trim' })
    collectAll()
  }

  private async stopWorkers (): Promise<void> {
    this.idleTimer = undefined
    if (this.tasks.size > 0) return
    // Taken out first: a task that comes while they stop starts new ones.
    const stopping = this.workers.splice(0)
    await Promise.all(stopping.map(async (w) => w.worker.terminate()))
  }

  private pick (): PoolWorker | undefined {
    this.start()
    return this.workers.reduce<PoolWorker | undefined>((best, w) => best === undefined || w.busy < best.busy ? w : best, undefined)
  }

  private send (target: PoolWorker, request: WorkerRequest, transfer: ArrayBuffer[] = []): void {
    target.worker.postMessage(request, transfer)
  }

  /** Runs a seal job on the least busy worker; the job's buffers are transferred, not copied. */
  async run (job: SealJob): Promise<SealResult> {
    if (this.closed) throw new ResilienError('the seal pool is closed')
    const target = this.pick()
    if (target === undefined) return runSealJob(job)
    const seq = ++this.seq
    return await this.ask(target, { seq, type: 'seal', job }, [job.plain, job.ids], 'seal worker',
      (reply) => reply.kind === 'result' ? reply.result : undefined)
  }

  /** One request, one reply: `accept` takes the answer out of the reply, undefined when it is another kind. */
  private async ask<T> (target: PoolWorker, request: WorkerRequest, transfer: ArrayBuffer[], who: string, accept: (reply: WorkerReply) => T | undefined): Promise<T> {
    target.busy++
    return new Promise<T>((resolve, reject) => {
      this.tasks.set(request.seq, {
        onReply: (reply) => {
          this.taskDone(request.seq)
          target.busy--
          const answer = accept(reply)
          if (answer !== undefined) resolve(answer)
          else reject(new WorkerTaskError(`${who}: ${reply.kind === 'error' ? reply.message : 'unexpected reply'}`))
        }
      })
      this.send(target, request, transfer)
    })
  }

  /**
   * `path` and up to maxDirs - 1 folders below it that the walk will take (not excluded, and
   * with `oneFileSystem` on the same file system as `path`), listed and lstat'ed in a worker with
   * blocking calls, in one message. Without a worker, `path` alone on this thread (`inFlight`
   * lstats at a time).
   */
  async listTree (path: Uint8Array, maxDirs: number, rules: ExcludeRules, inFlight: number, oneFileSystem = false): Promise<PathListing[]> {
    if (this.closed) throw new ResilienError('the seal pool is closed')
    const target = this.pick()
    if (target === undefined) return [{ path, listing: await listDirExcluding(path, inFlight, exclusionOf(rules)) }]
    const seq = ++this.seq
    return await this.ask(target, { seq, type: 'list-tree', path: new Uint8Array(path).buffer, maxDirs, rules, oneFileSystem }, [], 'listing worker',
      (reply) => reply.kind === 'listed' ? reply.listings : undefined)
  }

  /**
   * Reads, chunks and seals one file in a worker, asking `handlers` which chunks are new.
   * Messages of one task are handled one after another, in order.
   */
  async runFile (task: FileTaskRequest, handlers: FileTaskHandlers, signal?: AbortSignal): Promise<void> {
    if (this.closed) throw new ResilienError('the seal pool is closed')
    const target = this.pick()
    if (target === undefined) throw new ResilienError('the seal pool has no worker')
    const seq = ++this.seq
    target.busy++
    return new Promise<void>((resolve, reject) => {
      let chain = Promise.resolve()
      let settled = false
      const finish = (err?: unknown): void => {
        if (settled) return
        settled = true
        this.taskDone(seq)
        target.busy--
        signal?.removeEventListener('abort', onAbort)
        if (err === undefined) resolve()
        else reject(err)
      }
      const onAbort = (): void => {
        this.send(target, { seq, type: 'cancel' })
        finish(signal?.reason ?? new Error('aborted'))
      }
      signal?.addEventListener('abort', onAbort, { once: true })
      this.tasks.set(seq, {
        onReply: (reply) => {
          const slot = reply.kind === 'sealed' && 'slot' in reply ? reply.slot : undefined
          chain = chain.then(async () => {
            if (settled) return
            switch (reply.kind) {
              case 'batch': {
                const indexes = await handlers.onBatch(new Uint8Array(reply.ids), reply.lengths, reply.bytesRead)
                this.send(target, { seq, type: 'select', indexes })
                return
              }
              case 'sealed': {
                const bytes = 'slot' in reply
                  ? target.arena.view(reply.slot, reply.lengths.reduce((a, b) => a + b, 0))
                  : new Uint8Array(reply.sealed)
                if (reply.whole === undefined) {
                  await handlers.onSealed(bytes, reply.lengths)
                } else {
                  const { ids, lengths, bytesRead } = reply.whole
                  const chosen = await handlers.onBatch(new Uint8Array(ids), lengths, bytesRead)
                  if (chosen.length > 0) await handlers.onSealed(bytes, reply.lengths, chosen)
                }
                if (reply.done) finish()
                return
              }
              case 'done':
                finish()
                return
              case 'error':
                finish(new WorkerTaskError(reply.message, reply.code))
                return
              default:
                finish(new WorkerTaskError('unexpected reply from a file worker'))
            }
          }).catch((err: unknown) => {
            this.send(target, { seq, type: 'cancel' })
            finish(err)
          }).finally(() => {
            // Read (copied into a pack) or dropped: either way the worker may reuse the slot.
            if (slot !== undefined) target.arena.free(slot)
          })
        }
      })
      this.send(target, { seq, type: 'file', task })
    })
  }

  /**
   * Counts files and bytes below `paths` in a worker (a second walk would otherwise compete with
   * the backup for the main thread); `totals` is updated as reports arrive. Without a worker the
   * scan runs here.
   */
  scan (paths: readonly string[], rules: ExcludeRules = { patterns: [] }, oneFileSystem = false): Scan {
    const target = this.pick()
    if (target === undefined || this.closed) return startScan(paths, { exclusion: exclusionOf(rules), oneFileSystem })
    const seq = ++this.seq
    const totals: ScanTotals = { files: 0, bytes: 0, complete: false }
    this.tasks.set(seq, {
      onReply: (reply) => {
        if (reply.kind === 'totals') {
          totals.files = reply.files
          totals.bytes = reply.bytes
          totals.complete = reply.complete
        } else {
          this.taskDone(seq)
        }
      }
    })
    this.send(target, { seq, type: 'scan', paths: [...paths], rules, oneFileSystem })
    return { totals, stop: () => { if (this.tasks.has(seq)) this.send(target, { seq, type: 'cancel' }) } }
  }

  /**
   * The writing half of a restore (open, verify and write blobs; finish files) in the least busy
   * worker, which keeps it to the end: the files' state lives there. Inline without a worker.
   */
  openRestoreWriter (keys: BlobKeys): RestoreWriter {
    const target = this.closed ? undefined : this.pick()
    if (target === undefined) return new InlineRestoreWriter(keys)
    const seq = ++this.seq
    target.busy++
    const writer = new WorkerRestoreWriter(
      (request, transfer) => this.send(target, { ...request, seq } as WorkerRequest, transfer),
      () => {
        this.taskDone(seq)
        target.busy--
      })
    this.tasks.set(seq, { onReply: (reply) => writer.onReply(reply) })
    writer.begin(keys)
    return writer
  }

  private failAll (err: Error): void {
    for (const task of [...this.tasks.values()]) task.onReply({ seq: 0, kind: 'error', message: err.message })
    this.tasks.clear()
  }

  async close (): Promise<void> {
    this.closed = true
    clearTimeout(this.idleTimer)
    clearTimeout(this.settleTimer)
    this.failAll(new ResilienError('the seal pool was closed'))
    await Promise.all(this.workers.map(async (w) => w.worker.terminate()))
    this.workers.length = 0
  }
}

/** How long the pool waits after its last task before it settles (see SealPool.settle). */
export const DEFAULT_SETTLE_MS = 250

/** How long workers stay up after their last task. */
export const DEFAULT_WORKER_IDLE_MS = 30_000

/**
 * One worker per core beyond the main thread's, at least one. Measured on 2 cores with 1 GB:
 * one worker 11.6 s and 358 MiB peak, two workers 12.0 s and 474 MiB (each worker is an
 * isolate with its own heap, WASM zstd and buffers in flight).
 */
export function defaultSealWorkers (): number {
  return Math.max(1, Math.min(4, availableParallelism() - 1))
}
