import { availableParallelism } from 'node:os'
import { Worker } from 'node:worker_threads'
import { ResilienError } from '@resilien/types'
import { runSealJob } from './seal-job.js'
import type { SealJob, SealResult } from './seal-job.js'

/**
 * Worker threads that compress and seal blobs while the main thread reads, chunks, hashes and
 * packs: on a 2-core board, compression (zstd in WASM on Node 20: ~150 MB/s of text) would
 * otherwise share one core with everything else. With no worker (`size` 0) jobs run inline.
 */
export class SealPool {
  private readonly workers: Array<{ worker: Worker, busy: number }> = []
  private readonly waiting = new Map<number, { resolve: (r: SealResult) => void, reject: (e: Error) => void }>()
  private seq = 0
  private closed = false

  constructor (size: number) {
    for (let i = 0; i < size; i++) {
      const worker = new Worker(new URL('./seal-worker.js', import.meta.url))
      // Idle workers must not keep a finished process alive.
      worker.unref()
      worker.on('message', (m: { seq: number, result?: SealResult, error?: string }) => {
        const w = this.workers.find((x) => x.worker === worker)
        if (w !== undefined) w.busy--
        const pending = this.waiting.get(m.seq)
        this.waiting.delete(m.seq)
        if (pending === undefined) return
        if (m.result !== undefined) pending.resolve(m.result)
        else pending.reject(new ResilienError(`seal worker: ${m.error ?? 'unknown error'}`))
      })
      worker.on('error', (err) => this.failAll(err))
      this.workers.push({ worker, busy: 0 })
    }
  }

  get size (): number {
    return this.workers.length
  }

  /** Runs a job on the least busy worker; the job's buffers are transferred, not copied. */
  async run (job: SealJob): Promise<SealResult> {
    if (this.closed) throw new ResilienError('the seal pool is closed')
    const target = this.workers.reduce<{ worker: Worker, busy: number } | undefined>((best, w) => best === undefined || w.busy < best.busy ? w : best, undefined)
    if (target === undefined) return runSealJob(job)
    const seq = ++this.seq
    target.busy++
    return new Promise<SealResult>((resolve, reject) => {
      this.waiting.set(seq, { resolve, reject })
      target.worker.postMessage({ seq, job }, [job.plain, job.ids])
    })
  }

  private failAll (err: Error): void {
    for (const p of this.waiting.values()) p.reject(err)
    this.waiting.clear()
  }

  async close (): Promise<void> {
    this.closed = true
    this.failAll(new ResilienError('the seal pool was closed'))
    await Promise.all(this.workers.map(async (w) => w.worker.terminate()))
    this.workers.length = 0
  }
}

/** One worker per core beyond the main thread's, at least one where there are two cores or more. */
export function defaultSealWorkers (): number {
  return Math.max(0, Math.min(4, availableParallelism() - 1))
}
