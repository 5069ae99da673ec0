import { IntegrityError, ResilienError } from '@resilien/types'
import { RestoreSink } from './restore-sink.js'
import type { SinkDir, SinkFile, SinkPack, SinkReport } from './restore-sink.js'
import type { BlobKeys } from './open-blob.js'
import type { WorkerReply, WorkerRequest } from './worker-messages.js'
import { isFullDiskCode } from './restore-room.js'

/**
 * The writing half of one restore (restore-sink.ts), seen from the main thread: in a seal-pool
 * worker, or inline. Calls are carried out in the order they are made.
 */
export interface RestoreWriter {
  add: (files: SinkFile[]) => Promise<SinkReport>
  /**
   * Opens and writes the blobs of `sealed`. `transfer` holds the buffer of every one of them,
   * and the writer takes them: a worker gets them transferred (the caller's views are then
   * empty), so no copy is made and nothing comes back.
   */
  write: (sealed: Uint8Array[], pack: SinkPack, transfer: ArrayBuffer[]) => Promise<SinkReport>
  /** Blobs that could not be read: the files they belong to are not restored (RestoreSink.lost). */
  lost: (targets: number[][], why: string) => Promise<SinkReport>
  /** Folder metadata, children first, once every file is written. */
  finishDirs: (dirs: SinkDir[]) => Promise<SinkReport>
  /** Closes what is open; the writer takes no more calls. */
  end: () => Promise<void>
}

/** The sink on the calling thread (a pool without workers): writes block it, as the user chose. */
export class InlineRestoreWriter implements RestoreWriter {
  private readonly sink: RestoreSink

  constructor (keys: BlobKeys) {
    this.sink = new RestoreSink(keys)
  }

  async add (files: SinkFile[]): Promise<SinkReport> {
    return this.sink.add(files)
  }

  async write (sealed: Uint8Array[], pack: SinkPack): Promise<SinkReport> {
    return this.sink.write(sealed, pack)
  }

  async lost (targets: number[][], why: string): Promise<SinkReport> {
    return this.sink.lost(targets, why)
  }

  async finishDirs (dirs: SinkDir[]): Promise<SinkReport> {
    return this.sink.finishDirs(dirs)
  }

  async end (): Promise<void> {
    this.sink.close()
  }
}

type WithoutSeq<T> = T extends unknown ? Omit<T, 'seq'> : never
/** A restore message to the worker, before the pool numbers it. */
export type RestoreRequest = WithoutSeq<Extract<WorkerRequest, { type: 'restore-begin' | 'restore-add' | 'restore-write' | 'restore-lost' | 'restore-dirs' | 'restore-end' }>>

/** The sink in a worker: each call is a message, each reply settles the oldest call. */
export class WorkerRestoreWriter implements RestoreWriter {
  private readonly waiting: Array<{ resolve: (reply: WorkerReply) => void, reject: (err: unknown) => void }> = []
  private ended = false
  /** The worker died or the pool closed: nothing more can be asked of it. */
  private gone: Error | undefined

  /**
   * `send` posts a request to the worker (the pool adds the task's number); `done` tells the
   * pool the task is over.
   */
  constructor (private readonly send: (request: RestoreRequest, transfer?: ArrayBuffer[]) => void, private readonly done: () => void) {}

  /** Starts the worker's sink with the repository's keys (copied: the caller keeps its own). */
  begin (keys: BlobKeys): void {
    const copy = (b: Uint8Array): ArrayBuffer => new Uint8Array(b).buffer
    this.send({ type: 'restore-begin', dataKey: copy(keys.dataKey), chunkIdKey: copy(keys.chunkIdKey), maxBlobSize: keys.maxBlobSize })
  }

  /** A reply from the worker, or the pool's error when the worker died. */
  onReply (reply: WorkerReply): void {
    if (reply.kind === 'error' && reply.seq === 0) {
      // The worker is gone (the pool reports it once): every call still waiting fails.
      this.gone = errorFromReply(reply)
      for (const call of this.waiting.splice(0)) call.reject(this.gone)
      return
    }
    const next = this.waiting.shift()
    if (next === undefined) return
    if (reply.kind === 'error') next.reject(errorFromReply(reply))
    else next.resolve(reply)
  }

  async add (files: SinkFile[]): Promise<SinkReport> {
    const reply = await this.call({ type: 'restore-add', files })
    return (reply as { report: SinkReport }).report
  }

  async write (sealed: Uint8Array[], pack: SinkPack, transfer: ArrayBuffer[]): Promise<SinkReport> {
    const reply = await this.call({ type: 'restore-write', sealed, pack }, transfer)
    return (reply as { report: SinkReport }).report
  }

  async lost (targets: number[][], why: string): Promise<SinkReport> {
    const reply = await this.call({ type: 'restore-lost', targets, why })
    return (reply as { report: SinkReport }).report
  }

  async finishDirs (dirs: SinkDir[]): Promise<SinkReport> {
    const reply = await this.call({ type: 'restore-dirs', dirs })
    return (reply as { report: SinkReport }).report
  }

  async end (): Promise<void> {
    if (this.ended) return
    this.ended = true
    try {
      if (this.gone === undefined) await this.call({ type: 'restore-end' })
    } finally {
      this.done()
    }
  }

  private async call (request: RestoreRequest, transfer: ArrayBuffer[] = []): Promise<WorkerReply> {
    if (this.gone !== undefined) throw this.gone
    if (this.ended && request.type !== 'restore-end') throw new ResilienError('the restore writer has ended')
    return new Promise<WorkerReply>((resolve, reject) => {
      this.waiting.push({ resolve, reject })
      this.send(request, transfer)
    })
  }
}

/** The error a worker reported, as the class the inline sink would have thrown. */
function errorFromReply (reply: Extract<WorkerReply, { kind: 'error' }>): Error {
  if (reply.integrity !== undefined) return new IntegrityError(reply.integrity, reply.message)
  // A full disk's message says it all (restore-room.ts); anything else is the worker's failure.
  const err = new ResilienError(isFullDiskCode(reply.code) ? reply.message : `restore worker: ${reply.message}`) as ResilienError & { code?: string }
  if (reply.code !== undefined) err.code = reply.code
  return err
}
